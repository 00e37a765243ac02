import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CallRecording } from '../../../src-main/recording/call-recording.js';
import type { RecordingSink } from '../../../src-main/recording/recording-sinks.js';
import { recordingFileName, recordingInside, recordingModeFor } from '../../../src-main/recording/recording-paths.js';
import { sweepRecordings } from '../../../src-main/recording/recording-retention.js';
import { StereoInterleaver } from '../../../src-main/recording/stereo-interleaver.js';
import { wavHeader } from '../../../src-main/recording/wav-header.js';

const root = mkdtempSync(join(tmpdir(), 'linedesk-rec-files-'));
after(() => rmSync(root, { recursive: true, force: true }));
const DAY = 86_400_000;

describe('recording file names and the path check', () => {
  test('names: UTC time, line, a safe part of the Call-ID, a random tail, the format\'s extension', () => {
    const at = Date.UTC(2026, 11, 8, 1, 2, 3);
    const a = recordingFileName(at, 'sales', '../../etc/passwd@host;x', 'wav');
    assert.match(a, /^20261208-010203_sales_______etc_passwd_host_x_[0-9a-f]{6}\.wav$/);
    assert.notEqual(recordingFileName(at, 'sales', 'c', 'opus'), recordingFileName(at, 'sales', 'c', 'opus'));
    assert.match(recordingFileName(at, 'l', 'c', 'opus'), /\.opus$/);
  });

  test('only recordings directly inside the folder pass: no "..", no other folder, no link out, no other file kinds', async () => {
    const dir = join(root, 'recs');
    mkdirSync(dir);
    const name = recordingFileName(Date.now(), 'l', 'c', 'wav');
    writeFileSync(join(dir, name), 'x');
    writeFileSync(join(root, 'secret.wav'), 'x');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    symlinkSync(join(root, 'secret.wav'), join(dir, 'link.wav'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'inner.wav'), 'x');
    assert.equal(await recordingInside(dir, name), join(dir, name));
    assert.equal(await recordingInside(dir, join(dir, name)), join(dir, name), 'its absolute path too');
    for (const bad of ['../secret.wav', join(root, 'secret.wav'), 'link.wav', 'notes.txt', 'sub/inner.wav', 'sub/../' + name, '', '.', '..', 'missing.wav', `${name}\0.wav`, '/etc/passwd', '%2e%2e/secret.wav']) {
      assert.equal(await recordingInside(dir, bad), undefined, JSON.stringify(bad));
    }
  });

  test('mode: the line\'s own, else the global one', () => {
    const perLine = new Map([['a', 'on-demand' as const], ['b', undefined]]);
    assert.equal(recordingModeFor('a', 'all', perLine), 'on-demand');
    assert.equal(recordingModeFor('b', 'all', perLine), 'all');
    assert.equal(recordingModeFor('c', 'off', perLine), 'off');
  });
});

describe('retention', () => {
  test('recordings older than the limit go; newer ones, other files, links and folders stay; 0 keeps all', async () => {
    const dir = join(root, 'ret');
    mkdirSync(dir);
    const now = Date.now();
    const old = (name: string, days: number): string => {
      const f = join(dir, name);
      writeFileSync(f, 'x');
      utimesSync(f, (now - days * DAY) / 1000, (now - days * DAY) / 1000);
      return f;
    };
    const oldWav = old('a.wav', 40);
    const oldOpus = old('b.opus', 31);
    const fresh = old('c.wav', 29);
    const oldText = old('notes.txt', 400);
    symlinkSync(oldText, join(dir, 'link.wav'));
    mkdirSync(join(dir, 'old.wav'));
    assert.deepEqual((await sweepRecordings(dir, 0, now)).deleted, []);
    const r = await sweepRecordings(dir, 30, now);
    assert.deepEqual(r.deleted.sort(), [oldWav, oldOpus].sort());
    assert.ok(existsSync(fresh) && existsSync(oldText) && existsSync(join(dir, 'link.wav')) && existsSync(join(dir, 'old.wav')));
    assert.deepEqual(await sweepRecordings(join(root, 'missing'), 30, now), { deleted: [], repaired: [], failed: [] });
  });

  test('at start, WAVs a crash left with wrong sizes are repaired (not the ones being recorded)', async () => {
    const dir = join(root, 'rep');
    mkdirSync(dir);
    const body = Buffer.alloc(4000, 1);
    writeFileSync(join(dir, 'crashed.wav'), Buffer.concat([wavHeader(8000, 2, 0), body]));
    writeFileSync(join(dir, 'busy.wav'), Buffer.concat([wavHeader(8000, 2, 0), body]));
    writeFileSync(join(dir, 'fine.wav'), Buffer.concat([wavHeader(8000, 2, 4000), body]));
    const r = await sweepRecordings(dir, 0, Date.now(), { repair: true, skip: new Set([join(dir, 'busy.wav')]) });
    assert.deepEqual(r.repaired, [join(dir, 'crashed.wav')]);
  });
});

describe('pairing the two sides', () => {
  test('left and right are interleaved in step; a side that falls 200 ms behind is padded with silence', () => {
    const s = new StereoInterleaver(4);
    assert.equal(s.left(Int16Array.from([1, 2, 3])), undefined);
    assert.deepEqual([...s.right(Int16Array.from([-1, -2]))!], [1, -1, 2, -2]);
    assert.equal(s.left(Int16Array.from([4, 5, 6])), undefined, '4 ahead: within the skew');
    // 7 on the left, none on the right: more than 4 ahead, the oldest go out against silence.
    assert.deepEqual([...s.left(Int16Array.from([7, 8, 9]))!], [3, 0, 4, 0, 5, 0]);
    assert.deepEqual([...s.finish()!], [6, 0, 7, 0, 8, 0, 9, 0]);
  });

  test('CallRecording hands stereo to its sink and closes it once', async () => {
    const written: number[] = [];
    let closes = 0;
    const sink: RecordingSink = { opened: Promise.resolve(), write: (x) => written.push(...x), close: () => Promise.resolve(void closes++) };
    const r = new CallRecording('/x.wav', 8000, sink);
    r.far(Int16Array.from([1, 2]));
    r.near(Int16Array.from([3, 4, 5]));
    await Promise.all([r.close(), r.close()]);
    r.far(Int16Array.from([9]));
    assert.deepEqual(written, [1, 3, 2, 4, 0, 5]);
    assert.equal(closes, 1);
  });
});
