import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ALAW_SILENCE,
  MULAW_SILENCE,
  PCMA,
  PCMU,
  alawToLinear,
  decodeAlaw,
  decodeMulaw,
  encodeAlaw,
  encodeMulaw,
  linearToAlaw,
  linearToMulaw,
  mulawToLinear,
} from '../../../src-main/media/codec/g711.js';
import { readFixture } from '../../support/fixtures.js';

/** Every int16 value, -32768..32767, in the order the encode fixtures use. */
const ALL_SAMPLES = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
const ALL_CODES = Uint8Array.from({ length: 256 }, (_, i) => i);

function int16Fixture(name: string): Int16Array {
  const raw = readFixture(name);
  const out = new Int16Array(raw.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = raw.readInt16LE(i * 2);
  return out;
}

/** Index and values of the first mismatch, so a failure names the input at fault. */
function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): string | undefined {
  assert.equal(actual.length, expected.length, 'length');
  let count = 0;
  let first: string | undefined;
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      count++;
      first ??= `index ${i}: got ${actual[i]}, want ${expected[i]}`;
    }
  }
  return first === undefined ? undefined : `${count} differ; first at ${first}`;
}

describe('G.711 against the audioop (Sun/CCITT g711.c) vectors', () => {
  test('μ-law encode matches for all 65 536 inputs', () => {
    const expected = readFixture('g711/ulaw-encode.bin');
    assert.equal(expected.length, 65536);
    assert.equal(firstDifference(encodeMulaw(ALL_SAMPLES), expected), undefined);
  });

  test('A-law encode matches for all 65 536 inputs', () => {
    const expected = readFixture('g711/alaw-encode.bin');
    assert.equal(expected.length, 65536);
    assert.equal(firstDifference(encodeAlaw(ALL_SAMPLES), expected), undefined);
  });

  test('μ-law decode matches for all 256 codes', () => {
    const expected = int16Fixture('g711/ulaw-decode.bin');
    assert.equal(firstDifference(decodeMulaw(ALL_CODES), expected), undefined);
  });

  test('A-law decode matches for all 256 codes', () => {
    const expected = int16Fixture('g711/alaw-decode.bin');
    assert.equal(firstDifference(decodeAlaw(ALL_CODES), expected), undefined);
  });

  test('single-sample helpers agree with the frame functions everywhere', () => {
    const ulaw = readFixture('g711/ulaw-encode.bin');
    const alaw = readFixture('g711/alaw-encode.bin');
    for (let i = 0; i < 65536; i++) {
      const s = i - 32768;
      if (linearToMulaw(s) !== ulaw[i]) assert.fail(`linearToMulaw(${s})`);
      if (linearToAlaw(s) !== alaw[i]) assert.fail(`linearToAlaw(${s})`);
    }
    const ulawDec = int16Fixture('g711/ulaw-decode.bin');
    const alawDec = int16Fixture('g711/alaw-decode.bin');
    for (let c = 0; c < 256; c++) {
      assert.equal(mulawToLinear(c), ulawDec[c], `mulawToLinear(${c})`);
      assert.equal(alawToLinear(c), alawDec[c], `alawToLinear(${c})`);
    }
  });

  test('the one-step thresholds the npm ports get wrong (negative inputs) follow the reference', () => {
    // audioop: -1 -> 0x7E (μ-law), 0x55 (A-law); alawmulaw@6 gives 0x7F for μ-law.
    assert.equal(linearToMulaw(-1), 0x7e);
    assert.equal(linearToAlaw(-1), 0x55);
    assert.equal(linearToMulaw(-100), 0x72);
    assert.equal(linearToAlaw(-100), 0x53);
  });
});

describe('G.711 known values and edges', () => {
  test('full scale maps to the outermost codes and back', () => {
    assert.equal(linearToMulaw(32767), 0x80);
    assert.equal(linearToMulaw(-32768), 0x00);
    assert.equal(linearToAlaw(32767), 0xaa);
    assert.equal(linearToAlaw(-32768), 0x2a);
    assert.equal(mulawToLinear(0x80), 32124);
    assert.equal(mulawToLinear(0x00), -32124);
    assert.equal(alawToLinear(0xaa), 32256);
    assert.equal(alawToLinear(0x2a), -32256);
  });

  test('silence encodes to 0xFF (μ-law) and 0xD5 (A-law)', () => {
    assert.equal(MULAW_SILENCE, 0xff);
    assert.equal(ALAW_SILENCE, 0xd5);
    assert.deepEqual([...encodeMulaw(new Int16Array(160))], new Array(160).fill(0xff));
    assert.deepEqual([...encodeAlaw(new Int16Array(160))], new Array(160).fill(0xd5));
    assert.equal(mulawToLinear(0xff), 0);
    assert.equal(mulawToLinear(0x7f), 0, 'μ-law has a negative zero');
    assert.equal(alawToLinear(0xd5), 8, 'A-law has no zero: the smallest step is ±8');
    assert.equal(alawToLinear(0x55), -8);
  });

  test('single-sample helpers clamp out-of-range input and truncate fractions', () => {
    assert.equal(linearToMulaw(40000), linearToMulaw(32767));
    assert.equal(linearToMulaw(-40000), linearToMulaw(-32768));
    assert.equal(linearToAlaw(1e9), 0xaa);
    assert.equal(linearToMulaw(100.9), linearToMulaw(100));
    assert.equal(mulawToLinear(0x1ff), mulawToLinear(0xff), 'only the low 8 bits of a code count');
  });

  test('decode(encode(x)) stays within one quantisation step of x (clipping aside)', () => {
    const ulaw = decodeMulaw(encodeMulaw(ALL_SAMPLES));
    const alaw = decodeAlaw(encodeAlaw(ALL_SAMPLES));
    for (let i = 0; i < 65536; i++) {
      const x = ALL_SAMPLES[i] as number;
      const u = ulaw[i] as number;
      const a = alaw[i] as number;
      // Segment steps: μ-law 8·2^seg, A-law 16 for seg 0/1 and 16·2^(seg-1) above. At a segment
      // edge the code may round into the next segment, so the larger of the two steps applies.
      const uStep = 8 << Math.max(muSegment(Math.abs(x)), muSegment(Math.abs(u)));
      const uErr = Math.abs(u - clampTo(x, 32124));
      if (uErr > uStep) assert.fail(`μ-law ${x} -> ${u} (step ${uStep})`);
      const aStep = 16 << Math.max(0, aSegment(Math.abs(x)) - 1, aSegment(Math.abs(a)) - 1);
      const aErr = Math.abs(a - clampTo(x, 32256));
      if (aErr > aStep) assert.fail(`A-law ${x} -> ${a} (step ${aStep})`);
    }
  });

  test('encode(decode(c)) = c for every code (μ-law -0 aside, which becomes +0)', () => {
    const u = encodeMulaw(decodeMulaw(ALL_CODES));
    const a = encodeAlaw(decodeAlaw(ALL_CODES));
    for (let c = 0; c < 256; c++) {
      assert.equal(a[c], c, `A-law code ${c}`);
      assert.equal(u[c], c === 0x7f ? 0xff : c, `μ-law code ${c}`);
    }
  });
});

describe('G.711 frame API', () => {
  test('writes into a caller buffer, returning a view of the used length', () => {
    const pcm = Int16Array.from([0, 1000, -1000, 32767]);
    const out = new Uint8Array(10).fill(0x11);
    const bytes = encodeMulaw(pcm, out);
    assert.equal(bytes.buffer, out.buffer, 'no copy');
    assert.equal(bytes.length, 4);
    assert.deepEqual([...bytes], [0xff, 0xce, 0x4e, 0x80]);
    assert.equal(out[4], 0x11, 'bytes past the frame are untouched');

    const pcmOut = new Int16Array(4);
    const back = decodeMulaw(bytes, pcmOut);
    assert.equal(back, pcmOut, 'exact length: the same array comes back');
    assert.deepEqual([...back], [0, 988, -988, 32124]);
  });

  test('rejects a caller buffer that is too short', () => {
    assert.throws(() => encodeAlaw(new Int16Array(160), new Uint8Array(159)), RangeError);
    assert.throws(() => decodeAlaw(new Uint8Array(160), new Int16Array(10)), RangeError);
  });

  test('accepts a Node Buffer as input and output', () => {
    const payload = Buffer.from([0xd5, 0xd5, 0xaa]);
    assert.deepEqual([...decodeAlaw(payload)], [8, 8, 32256]);
    const out = Buffer.alloc(3);
    encodeAlaw(Int16Array.from([8, 8, 32256]), out);
    assert.deepEqual(out, payload);
  });

  test('empty frames give empty results', () => {
    assert.equal(encodeMulaw(new Int16Array(0)).length, 0);
    assert.equal(decodeAlaw(new Uint8Array(0)).length, 0);
  });

  test('codec descriptors carry the RFC 3551 static payload types', () => {
    assert.equal(PCMU.payloadType, 0);
    assert.equal(PCMA.payloadType, 8);
    assert.equal(PCMU.silenceCode, MULAW_SILENCE);
    assert.equal(PCMA.silenceCode, ALAW_SILENCE);
    assert.deepEqual([...PCMA.decode(PCMA.encode(Int16Array.from([0])))], [8]);
  });
});

function clampTo(x: number, max: number): number {
  return x > max ? max : x < -max ? -max : x;
}

function muSegment(mag: number): number {
  let seg = 0;
  let v = (Math.min(mag, 32635) >> 2) + 33;
  while (v > 0x3f && seg < 7) {
    v >>= 1;
    seg++;
  }
  return seg;
}

function aSegment(mag: number): number {
  let seg = 0;
  let v = mag >> 3;
  while (v > 0x1f && seg < 7) {
    v >>= 1;
    seg++;
  }
  return seg;
}
