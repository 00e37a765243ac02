import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { writeTonePcap } from '../support/pcap-writer.js';
import { freeUdpPortBlock } from '../support/ports.js';
import { ensurePulse, injectTone, pulseSkipReason, VIRTUAL_HEADSET_MEDIA, type PulseDaemon } from '../support/pulse.js';
import { goertzel, loudestStretch, readStereoWav } from '../support/recording-files.js';
import { startSipp } from '../support/sipp.js';
import { pcapCallerScenario } from '../support/sipp-pcap-scenario.js';
import { toneFrequency } from '../support/tone.js';

const skip = peerSkipReason('kamailio', 'sipp') ?? pulseSkipReason();

/*
 * A headset call recorded: the caller's 1 kHz comes from a sipp pcap; the agent's 400 Hz is
 * played into the virtual microphone of a private PulseAudio. The recording is at the sound
 * card's rate: the far end as it goes to the headset, the microphone as it goes to the encoder.
 */
describe('call recording on a headset line (private PulseAudio)', { skip, timeout: 120_000 }, () => {
  let pulse: PulseDaemon;
  let k: Kamailio;
  let runner: HeadlessRunner;
  let dir: string;

  before(async () => {
    pulse = await ensurePulse();
    dir = mkdtempSync(join(tmpdir(), 'linedesk-rec-hs-'));
    k = await startKamailio();
    runner = new HeadlessRunner(
      {
        ...runnerConfig(k, [{ id: 'hs', ext: '294', autoAnswerMs: 0, maxCalls: 1, media: { mode: 'device' } }], { media: { ...VIRTUAL_HEADSET_MEDIA, codecs: ['PCMU'] } }),
        recording: { mode: 'all', dir: join(dir, 'recs') },
      },
      { env: { PULSE_SERVER: pulse.server } },
    );
    await runner.registered(['hs']);
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
    await pulse?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('left: the caller\'s 1 kHz as the headset hears it; right: the microphone\'s 400 Hz as it is sent', async () => {
    const pcap = join(dir, 'caller.pcap');
    writeTonePcap(pcap, { codec: 'PCMU', seconds: 3, hz: 1000 });
    const mark = runner.events.length;
    const sipp = startSipp({ scenario: pcapCallerScenario([pcap], 3_500), target: `127.0.0.1:${k.udpPort}`, service: '294', mediaPort: await freeUdpPortBlock(4), timeoutMs: 30_000 });
    await runner.waitForEvent('call.answered', { line: 'hs' }, 10_000, mark);
    await delay(500);
    await injectTone(400, -12, 1_500);
    const r = await sipp.done;
    assert.equal(r.successful, 1, r.errors);
    const stopped = await runner.waitForEvent('recording.stopped', {}, 10_000, mark);
    const wav = readStereoWav(String(stopped.file));
    assert.equal(wav.headerDataBytes, wav.fileDataBytes);
    assert.equal(wav.rate, 48_000, 'the sound card\'s rate');
    const left = loudestStretch(wav.left, wav.rate, 500);
    const right = loudestStretch(wav.right, wav.rate, 500);
    assert.ok(Math.abs(toneFrequency(left, wav.rate) - 1000) < 5, `left at ${toneFrequency(left, wav.rate).toFixed(1)} Hz`);
    assert.ok(Math.abs(toneFrequency(right, wav.rate) - 400) < 5, `right at ${toneFrequency(right, wav.rate).toFixed(1)} Hz`);
    assert.ok(goertzel(left, wav.rate, 1000) > 100 * goertzel(left, wav.rate, 400), 'no microphone on the caller channel');
    assert.ok(goertzel(right, wav.rate, 400) > 100 * goertzel(right, wav.rate, 1000), 'no caller on the microphone channel (no echo path)');
  });
});
