import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '../../../src-main/common/logger.js';
import { WavFormatError } from '../../../src-main/media/audio/wav-file.js';
import { MediaTicker } from '../../../src-main/media/media-ticker.js';
import { RtpMediaEngine } from '../../../src-main/media/rtp-media-engine.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('MediaTicker', () => {
  test('one call per frame to every subscriber; a subscriber that throws is logged and does not starve the others', () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const ticker = new MediaTicker(clock, 20, createLogger('debug', (l) => lines.push(l)));
    let good = 0;
    const offBad = ticker.subscribe(() => {
      throw new Error('corrupt packet');
    });
    const offGood = ticker.subscribe(() => good++);
    assert.doesNotThrow(() => clock.advance(1000));
    assert.equal(good, 50);
    // The first failure at once, then at most one line every 10 s.
    assert.equal(lines.filter((l) => /a media frame failed.*corrupt packet/.test(l)).length, 1);
    clock.advance(10_000);
    assert.equal(lines.filter((l) => /a media frame failed/.test(l)).length, 2);
    offBad();
    offGood();
    assert.equal(clock.pendingCount, 0, 'stops with its last subscriber');
  });

});

describe('RtpMediaEngine service files', () => {
  const options = (serviceFiles: ReadonlyMap<string, { pcm: Int16Array; rate: number }>) => ({
    address: '127.0.0.1',
    ports: { min: 47000, max: 47999 },
    codecs: ['PCMU', 'opus'] as const,
    symmetricRtp: false,
    jitter: { minDelayMs: 20, maxDelayMs: 200 },
    serviceFiles,
    devices: undefined,
    clock: new FakeClock(),
    log: createLogger('off'),
    lineMedia: () => ({ mode: 'file' as const, headset: null, microphone: null }),
  });

  test('a file that cannot be converted to a codec rate stops the engine with the line named', () => {
    assert.throws(
      () => new RtpMediaEngine(options(new Map([['svc', { pcm: new Int16Array(441), rate: 44_100 }]]))),
      (e: unknown) => e instanceof Error && /^line svc: cannot convert 44100 Hz to 8000 Hz/.test(e.message) && !(e instanceof WavFormatError),
    );
    assert.doesNotThrow(() => new RtpMediaEngine(options(new Map([['svc', { pcm: new Int16Array(160), rate: 16_000 }]]))).close());
  });
});
