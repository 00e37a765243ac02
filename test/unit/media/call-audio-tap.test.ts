import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createLogger } from '../../../src-main/common/logger.js';
import { CallAudioTap } from '../../../src-main/media/call-audio-tap.js';
import { loadOpus } from '../../../src-main/media/codec/opus-codec.js';
import { readStereoWav } from '../../support/recording-files.js';
import { sine } from '../../support/tone.js';
import { until } from '../../support/until.js';

const dir = mkdtempSync(join(tmpdir(), 'linedesk-tap-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const log = createLogger('off');

function listener(): { events: string[]; started: (f: string) => void; stopped: (f: string, e?: string) => void } {
  const events: string[] = [];
  return { events, started: () => events.push('started'), stopped: (_f, e) => events.push(e ? `stopped: ${e}` : 'stopped') };
}

describe('CallAudioTap', () => {
  test('a disk that fills up (/dev/full) stops the recording with the error; the audio goes on', { skip: !existsSync('/dev/full') ? 'no /dev/full' : !loadOpus() ? 'audify (libopus) is not available' : false }, async () => {
    const tap = new CallAudioTap(log);
    const l = listener();
    // Appending to an Ogg file opens it as it is: /dev/full takes the open and fails every write.
    tap.record({ file: '/dev/full', format: 'opus', append: true }, l);
    const ours = sine(400, 8000, 160, 8000);
    for (let i = 0; i < 150; i++) {
      tap.heard(Int16Array.from(ours), 8000);
      assert.equal(tap.sending(ours, 8000, false), ours);
    }
    // Stopped by the error itself, while the call goes on.
    await until(() => l.events.some((e) => e.startsWith('stopped')), 2000, 'the stop');
    assert.equal(tap.sending(ours, 8000, false), ours);
    tap.close();
    assert.equal(l.events.length, 2);
    assert.match(l.events[1]!, /^stopped: .*ENOSPC/);
  });

  test('a recording asked for and dropped before any frame is over at once, and leaves no file', () => {
    const tap = new CallAudioTap(log);
    const l = listener();
    tap.record({ file: join(dir, 'never.wav'), format: 'wav' }, l);
    tap.record(null);
    const l2 = listener();
    tap.record({ file: join(dir, 'never2.wav'), format: 'wav' }, l2);
    tap.close();
    assert.deepEqual([l.events, l2.events], [['stopped'], ['stopped']]);
    assert.equal(existsSync(join(dir, 'never.wav')), false);
  });

  test('frames at another rate are resampled to the recording\'s; muted or unsent audio is recorded as silence', async () => {
    const tap = new CallAudioTap(log);
    const l = listener();
    const file = join(dir, 'rates.wav');
    tap.record({ file, format: 'wav' }, l);
    const tone = sine(400, 8000, 160, 8000);
    for (let i = 0; i < 50; i++) {
      tap.heard(Int16Array.from(tone), 8000);
      assert.equal(tap.sending(tone, 8000, i >= 25), tone, 'what is sent is ours (no consent)');
    }
    // A codec change (re-INVITE) to 48 kHz: the recording stays at 8 kHz.
    for (let i = 0; i < 10; i++) {
      tap.heard(sine(400, 48_000, 960, 8000), 48_000);
      tap.sending(sine(400, 48_000, 960, 8000), 48_000, false);
    }
    tap.close();
    await until(() => l.events.includes('stopped'), 2000, 'the close');
    assert.deepEqual(l.events, ['started', 'stopped']);
    const wav = readStereoWav(file);
    assert.equal(wav.rate, 8000);
    assert.ok(Math.abs(wav.left.length - 60 * 160) <= 160, `${wav.left.length} samples`);
    assert.ok(wav.right.subarray(0, 25 * 160).some((v) => v !== 0));
    assert.ok(wav.right.subarray(25 * 160, 50 * 160).every((v) => v === 0), 'muted: silence');
  });

  test('the consent replaces what we send and silences what we hear, then the call is connected', () => {
    const tap = new CallAudioTap(log);
    const consent = sine(800, 8000, 400, 8000);
    tap.record({ file: join(dir, 'consent.wav'), format: 'wav', consent: [[8000, consent]] }, listener());
    const ours = sine(400, 8000, 160, 8000);
    const heard = Int16Array.from(ours);
    assert.ok(tap.consenting);
    assert.deepEqual([...tap.sending(ours, 8000, false)], [...consent.subarray(0, 160)]);
    tap.heard(heard, 8000);
    assert.ok(heard.every((v) => v === 0), 'the agent hears nothing during the consent');
    tap.sending(ours, 8000, false);
    const last = tap.sending(ours, 8000, false);
    assert.deepEqual([...last.subarray(0, 80)], [...consent.subarray(320, 400)]);
    assert.ok(last.subarray(80).every((v) => v === 0), 'the consent\'s end, padded');
    assert.equal(tap.consenting, false);
    assert.equal(tap.sending(ours, 8000, false), ours, 'connected');
    tap.close();
  });
});
