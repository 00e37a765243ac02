import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeWav, encodeWav, readWavFile, WavFormatError } from '../../../src-main/media/audio/wav-file.js';
import { analyseTone, sine } from '../../support/tone.js';

/** Builds a WAV from chunks, for the odd layouts real files have. */
function riff(...chunks: Array<[string, Uint8Array]>): Uint8Array {
  const parts: number[] = [];
  const push32 = (v: number): void => void parts.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
  const ascii = (s: string): void => void parts.push(...[...s].map((c) => c.charCodeAt(0)));
  ascii('RIFF');
  push32(0);
  ascii('WAVE');
  for (const [id, body] of chunks) {
    ascii(id);
    push32(body.length);
    parts.push(...body);
    if (body.length & 1) parts.push(0);
  }
  const bytes = Uint8Array.from(parts);
  new DataView(bytes.buffer).setUint32(4, bytes.length - 8, true);
  return bytes;
}

function fmt(tag: number, channels: number, rate: number, bits: number, extensibleSubFormat?: number): Uint8Array {
  const size = extensibleSubFormat === undefined ? 16 : 40;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setUint16(0, tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, (rate * channels * bits) / 8, true);
  v.setUint16(12, (channels * bits) / 8, true);
  v.setUint16(14, bits, true);
  if (extensibleSubFormat !== undefined) {
    v.setUint16(16, 22, true);
    v.setUint16(18, bits, true);
    v.setUint16(24, extensibleSubFormat, true);
  }
  return b;
}

function pcmBytes(samples: number[]): Uint8Array {
  const b = new Uint8Array(samples.length * 2);
  const v = new DataView(b.buffer);
  samples.forEach((s, i) => v.setInt16(i * 2, s, true));
  return b;
}

describe('decodeWav', () => {
  test('reads 48 kHz mono exactly', () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768, 1234]);
    const wav = decodeWav(encodeWav(samples, 48000));
    assert.equal(wav.sampleRate, 48000);
    assert.deepEqual([...wav.samples], [...samples]);
  });

  test('mixes stereo down to mono by averaging', () => {
    const interleaved = Int16Array.from([100, 300, -32768, -32768, 32767, 32767, 1000, -1000]);
    const wav = decodeWav(encodeWav(interleaved, 16000, 2));
    assert.equal(wav.sampleRate, 16000);
    assert.deepEqual([...wav.samples], [200, -32768, 32767, 0]);
  });

  test('converts 8 kHz and 16 kHz to 48 kHz, keeping frequency, level and length', () => {
    for (const rate of [8000, 16000]) {
      const wav = decodeWav(encodeWav(sine(1000, rate, rate), rate), 48000);
      assert.equal(wav.sampleRate, 48000);
      assert.equal(wav.samples.length, 48000);
      const tone = analyseTone(wav.samples.subarray(2400, 45600), 48000);
      assert.ok(Math.abs(tone.frequencyHz - 1000) < 0.1, `${rate}: ${tone.frequencyHz} Hz`);
      assert.ok(Math.abs(tone.rmsDbfs - -9.03) < 0.1, `${rate}: ${tone.rmsDbfs} dBFS`);
      // The filter delay is compensated: the tone starts at sample 0 (a sine's first peak at 12).
      assert.ok(Math.abs((wav.samples[12] ?? 0) - 16384) < 400, `${rate}: first peak ${wav.samples[12]}`);
    }
  });

  test('converts 48 kHz down to 8 kHz', () => {
    const wav = decodeWav(encodeWav(sine(1000, 48000, 48000), 48000), 8000);
    assert.equal(wav.samples.length, 8000);
    const tone = analyseTone(wav.samples.subarray(400, 7600), 8000);
    assert.ok(Math.abs(tone.frequencyHz - 1000) < 0.1);
    assert.ok(Math.abs(tone.rmsDbfs - -9.03) < 0.1);
  });

  test('skips unknown and odd-sized chunks, and reads WAVE_FORMAT_EXTENSIBLE PCM', () => {
    const bytes = riff(['LIST', Uint8Array.from([1, 2, 3])], ['fmt ', fmt(0xfffe, 1, 8000, 16, 1)], ['fact', new Uint8Array(4)], ['data', pcmBytes([5, -5, 7])]);
    const wav = decodeWav(bytes);
    assert.equal(wav.sampleRate, 8000);
    assert.deepEqual([...wav.samples], [5, -5, 7]);
  });

  test('a placeholder data size (streamed WAV) reads what the file holds', () => {
    const bytes = riff(['fmt ', fmt(1, 1, 8000, 16)], ['data', pcmBytes([1, 2, 3, 4])]);
    new DataView(bytes.buffer).setUint32(bytes.length - 8 - 4, 0xffffffff, true);
    assert.deepEqual([...decodeWav(bytes).samples], [1, 2, 3, 4]);
  });

  test('rejects what it cannot play, saying why', () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [Uint8Array.from([1, 2, 3]), /not a RIFF\/WAVE/],
      [riff(['fmt ', fmt(3, 1, 48000, 32)], ['data', new Uint8Array(8)]), /not PCM/],
      [riff(['fmt ', fmt(1, 1, 8000, 8)], ['data', new Uint8Array(8)]), /8-bit/],
      [riff(['fmt ', fmt(0xfffe, 1, 8000, 16, 3)], ['data', new Uint8Array(8)]), /not PCM/],
      [riff(['data', new Uint8Array(8)], ['fmt ', fmt(1, 1, 8000, 16)]), /before the fmt/],
      [riff(['fmt ', fmt(1, 1, 8000, 16)]), /no data chunk/],
      [riff(['LIST', new Uint8Array(4)]), /no fmt chunk/],
    ];
    for (const [bytes, message] of cases) assert.throws(() => decodeWav(bytes), (e: unknown) => e instanceof WavFormatError && message.test(e.message));
    assert.throws(() => decodeWav(encodeWav(new Int16Array(441), 44100), 48000), /cannot convert 44100 Hz/);
  });
});

describe('readWavFile', () => {
  test('reads a file, and names the file in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wav-'));
    try {
      const good = join(dir, 'tone.wav');
      writeFileSync(good, encodeWav(sine(440, 8000, 4000), 8000));
      const wav = await readWavFile(good, 48000);
      assert.equal(wav.samples.length, 24000);
      const bad = join(dir, 'bad.wav');
      writeFileSync(bad, 'hello');
      await assert.rejects(readWavFile(bad), (e: unknown) => e instanceof WavFormatError && e.message.includes('bad.wav'));
      await assert.rejects(readWavFile(join(dir, 'missing.wav')), (e: unknown) => e instanceof WavFormatError && /cannot read/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
