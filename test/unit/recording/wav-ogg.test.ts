import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decodeWav } from '../../../src-main/media/audio/wav-file.js';
import { loadOpus } from '../../../src-main/media/codec/opus-codec.js';
import { OGG_BOS, OGG_EOS, oggCrc, oggPage, parseOggPages } from '../../../src-main/recording/ogg-page.js';
import { OggOpusStream, opusHead } from '../../../src-main/recording/ogg-opus-stream.js';
import { repairOgg } from '../../../src-main/recording/ogg-repair.js';
import { OggOpusSink, WavSink } from '../../../src-main/recording/recording-sinks.js';
import { parseWavHeader, repairWav, wavHeader, WAV_HEADER_BYTES } from '../../../src-main/recording/wav-header.js';
import { findBinary } from '../../support/peer-binaries.js';
import { goertzel, readStereoWav } from '../../support/recording-files.js';
import { sine, toneFrequency } from '../../support/tone.js';

const dir = mkdtempSync(join(tmpdir(), 'linedesk-rec-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Interleaves two mono signals. */
function stereo(left: Int16Array, right: Int16Array): Int16Array {
  const out = new Int16Array(left.length * 2);
  for (let i = 0; i < left.length; i++) {
    out[2 * i] = left[i]!;
    out[2 * i + 1] = right[i]!;
  }
  return out;
}

describe('WAV header', () => {
  test('the canonical 44-byte header: sizes, rate, channels, 16-bit PCM', () => {
    const h = wavHeader(8000, 2, 32_000);
    assert.equal(h.length, WAV_HEADER_BYTES);
    assert.equal(h.toString('ascii', 0, 4), 'RIFF');
    assert.equal(h.readUInt32LE(4), 36 + 32_000);
    assert.equal(h.readUInt16LE(22), 2);
    assert.equal(h.readUInt32LE(24), 8000);
    assert.equal(h.readUInt32LE(28), 8000 * 4, 'byte rate');
    assert.equal(h.readUInt16LE(32), 4, 'block align');
    assert.equal(h.readUInt32LE(40), 32_000);
    assert.deepEqual(parseWavHeader(h), { sampleRate: 8000, channels: 2, dataBytes: 32_000 });
    assert.equal(parseWavHeader(Buffer.from('RIFF....WAVEjunk')), undefined);
    // The project's own WAV reader (service files) reads it.
    const pcm = stereo(sine(400, 8000, 800), sine(1000, 8000, 800));
    const decoded = decodeWav(Buffer.concat([wavHeader(8000, 2, pcm.byteLength), Buffer.from(pcm.buffer)]));
    assert.equal(decoded.sampleRate, 8000);
    assert.equal(decoded.samples.length, 800);
  });

  test('repairWav: a file left with a zero data size and half a sample frame gets the sizes it holds', async () => {
    const file = join(dir, 'cut.wav');
    const pcm = stereo(sine(400, 8000, 1000), sine(1000, 8000, 1000));
    writeFileSync(file, Buffer.concat([wavHeader(8000, 2, 0), Buffer.from(pcm.buffer), Buffer.from([1, 2, 3])]));
    const r = await repairWav(file);
    assert.equal(r?.changed, true);
    assert.equal(r?.dataBytes, 4000);
    assert.equal(statSync(file).size, WAV_HEADER_BYTES + 4000);
    const wav = readStereoWav(file);
    assert.equal(wav.headerDataBytes, wav.fileDataBytes);
    assert.equal((await repairWav(file))?.changed, false, 'a sound file is left as it is');
    writeFileSync(join(dir, 'other.wav'), 'not a wav at all, just text that is long enough to be read');
    assert.equal(await repairWav(join(dir, 'other.wav')), undefined);
  });

  test('WavSink: batched writes, 0600, sizes at close; appending carries on in the same file', async () => {
    const file = join(dir, 'sink.wav');
    const errors: Error[] = [];
    const sink = new WavSink(file, 8000, { onError: (e) => errors.push(e) });
    for (let i = 0; i < 100; i++) sink.write(stereo(sine(400, 8000, 160), sine(1000, 8000, 160)));
    await sink.close();
    assert.equal(statSync(file).mode & 0o777, 0o600);
    let wav = readStereoWav(file);
    assert.equal(wav.left.length, 16_000);
    assert.equal(wav.headerDataBytes, wav.fileDataBytes);
    const more = new WavSink(file, 8000, { append: true, onError: (e) => errors.push(e) });
    more.write(stereo(new Int16Array(800), new Int16Array(800)));
    await more.close();
    wav = readStereoWav(file);
    assert.equal(wav.left.length, 16_800);
    assert.equal(wav.headerDataBytes, wav.fileDataBytes);
    const wrongRate = new WavSink(file, 48_000, { append: true, onError: () => {} });
    await assert.rejects(wrongRate.opened, /not a 48000 Hz stereo recording/);
    assert.deepEqual(errors, []);
    // A new recording never overwrites a file.
    const clash = new WavSink(file, 8000, { onError: () => {} });
    await assert.rejects(clash.opened, /EEXIST/);
  });
});

describe('Ogg pages', () => {
  test('the Ogg CRC (polynomial 0x04c11db7, initial 0, no final xor) of "123456789" is 0x89a1897f', () => {
    assert.equal(oggCrc(Buffer.from('123456789')), 0x89a1897f);
    assert.equal(oggCrc(new Uint8Array(0)), 0);
  });

  test('a page: capture pattern, flags, granule, serial, sequence, lacing (255 ⇒ a 0 segment) and a CRC that checks', () => {
    const packets = [Buffer.alloc(255, 1), Buffer.alloc(600, 2), Buffer.alloc(3, 3)];
    const page = oggPage({ serial: 0xdeadbeef, sequence: 7, granule: 123_456n, flags: OGG_EOS, packets });
    assert.equal(page.toString('ascii', 0, 4), 'OggS');
    assert.equal(page[26], 6, 'segments: 255 0 | 255 255 90 | 3');
    assert.deepEqual([...page.subarray(27, 33)], [255, 0, 255, 255, 90, 3]);
    const [parsed] = parseOggPages(page);
    assert.ok(parsed?.crcOk);
    assert.equal(parsed.granule, 123_456n);
    assert.equal(parsed.serial, 0xdeadbeef);
    assert.equal(parsed.sequence, 7);
    assert.equal(parsed.flags, OGG_EOS);
    assert.deepEqual(parsed.packets.map((p) => p.length), [255, 600, 3]);
    page[40] = page[40]! ^ 0xff;
    assert.equal(parseOggPages(page)[0]?.crcOk, false, 'a flipped byte fails the CRC');
  });

  test('an Ogg Opus stream: OpusHead (BOS), OpusTags, audio pages with rising granules, EOS last', () => {
    const s = new OggOpusStream(42);
    const bytes: Buffer[] = [s.headers(2, 48_000, ['ENCODER=test'])];
    for (let i = 0; i < 120; i++) {
      const page = s.packet(Buffer.alloc(60, i), 960);
      if (page) bytes.push(page);
    }
    bytes.push(s.end(() => ({ data: Buffer.alloc(3), samples48k: 960 })));
    const pages = parseOggPages(Buffer.concat(bytes));
    assert.ok(pages.every((p) => p.crcOk && p.serial === 42));
    assert.deepEqual(pages.map((p) => p.sequence), pages.map((_, i) => i));
    assert.equal(pages[0]!.flags, OGG_BOS);
    assert.deepEqual(pages[0]!.packets[0], opusHead(2, 48_000));
    assert.equal(pages[1]!.packets[0]!.toString('ascii', 0, 8), 'OpusTags');
    assert.equal(pages.at(-1)!.flags, OGG_EOS);
    assert.equal(pages.at(-1)!.granule, 120n * 960n);
    const audio = pages.slice(2);
    assert.equal(audio.reduce((n, p) => n + p.packets.length, 0), 120);
    for (let i = 1; i < audio.length; i++) assert.ok(audio[i]!.granule > audio[i - 1]!.granule);
  });
});

describe('repairOgg', () => {
  test('a stream cut in the middle of a page loses that page, and its last whole page is marked end-of-stream', async () => {
    const s = new OggOpusStream(7);
    const parts: Buffer[] = [s.headers(2, 48_000)];
    for (let i = 0; i < 150; i++) {
      const page = s.packet(Buffer.alloc(40, i), 960);
      if (page) parts.push(page);
    }
    const whole = Buffer.concat(parts);
    const file = join(dir, 'cut.opus');
    writeFileSync(file, Buffer.concat([whole, oggPage({ serial: 7, sequence: 99, granule: 1n, flags: 0, packets: [Buffer.alloc(500)] }).subarray(0, 300)]));
    assert.equal(await repairOgg(file), true);
    const pages = parseOggPages(readFileSync(file));
    assert.equal(readFileSync(file).length, whole.length, 'the half page is gone');
    assert.ok(pages.every((p) => p.crcOk));
    assert.equal(pages.at(-1)!.flags & OGG_EOS, OGG_EOS);
    assert.equal(pages.filter((p) => p.flags & OGG_EOS).length, 1);
    assert.equal(await repairOgg(file), false, 'a finished file is left as it is');
    writeFileSync(file, 'no pages here');
    await assert.rejects(repairOgg(file), /no whole Ogg page/);
  });
});

const opus = loadOpus();
const opusinfo = findBinary('opusinfo');
const opusdec = findBinary('opusdec');
describe('OggOpusSink: a stereo Opus recording another implementation reads', { skip: !opus ? 'audify (libopus) is not available' : !opusinfo || !opusdec ? 'opusinfo/opusdec missing (apt-get install opus-tools)' : false }, () => {
  test('opusinfo finds no error; opusdec decodes 1 kHz on the left and 400 Hz on the right', async () => {
    const a = opus!;
    const enc = new a.OpusEncoder(48_000, 2, a.OpusApplication.OPUS_APPLICATION_VOIP);
    const file = join(dir, 'two-tones.opus');
    const sink = new OggOpusSink(file, { encode: (pcm, n) => enc.encode(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength), n) }, { onError: (e) => assert.fail(e) });
    const left = sine(1000, 48_000, 48_000 * 3, 8000);
    const right = sine(400, 48_000, 48_000 * 3, 8000);
    // Odd-sized writes, as frames of the device come: the sink cuts 20 ms frames itself.
    for (let i = 0; i < left.length; i += 441) sink.write(stereo(left.subarray(i, i + 441), right.subarray(i, i + 441)));
    await sink.close();
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const info = execFileSync(opusinfo!, [file], { encoding: 'utf8' });
    assert.doesNotMatch(info, /WARNING|ERROR|error/i, info);
    assert.match(info, /Channels: 2/);
    const playback = /Playback length: (\d+)m:([\d.]+)s/.exec(info);
    assert.ok(playback, info);
    const seconds = Number(playback[1]) * 60 + Number(playback[2]);
    assert.ok(Math.abs(seconds - 3) < 0.05, `playback length ${seconds} s`);
    const out = join(dir, 'decoded.wav');
    execFileSync(opusdec!, ['--quiet', '--rate', '48000', file, out]);
    const wav = readStereoWav(out);
    const mid = (x: Int16Array): Int16Array => x.subarray(48_000, 96_000);
    assert.ok(Math.abs(toneFrequency(mid(wav.left), 48_000) - 1000) < 2);
    assert.ok(Math.abs(toneFrequency(mid(wav.right), 48_000) - 400) < 2);
    assert.ok(goertzel(mid(wav.left), 48_000, 1000) > 100 * goertzel(mid(wav.left), 48_000, 400));
    assert.ok(goertzel(mid(wav.right), 48_000, 400) > 100 * goertzel(mid(wav.right), 48_000, 1000));
    assert.ok(readFileSync(file).length < 3 * 48_000 * 4 / 10, 'much smaller than PCM');
  });
});
