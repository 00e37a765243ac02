import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { decodeMulaw } from '../../src-main/media/codec/g711.js';
import { HeadlessRunner } from '../support/headless-runner.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { writeTonePcap } from '../support/pcap-writer.js';
import { freeUdpPortBlock } from '../support/ports.js';
import { ensurePulse, injectTone, VIRTUAL_HEADSET_MEDIA, pulseSkipReason, reloadSink, startRecording, unloadSink, type PulseDaemon } from '../support/pulse.js';
import { runSipp, startSipp } from '../support/sipp.js';
import { pcapCallerScenario } from '../support/sipp-pcap-scenario.js';
import { analyseTone, concat } from '../support/tone.js';
import { captureSkipReason, WireCapture } from '../support/wire-capture.js';

const skip = peerSkipReason('kamailio', 'sipp', 'tshark') ?? pulseSkipReason() ?? captureSkipReason();
/** A sine of peak −12 dBFS has an RMS of −15.05 dBFS. */
const TONE_DBFS = -12;
const TONE_RMS = TONE_DBFS - 3.01;

describe('the headset: a virtual one in a private PulseAudio', { skip, timeout: 240_000 }, () => {
  let pulse: PulseDaemon;
  let k: Kamailio;
  let runner: HeadlessRunner;
  let dir: string;

  before(async () => {
    pulse = await ensurePulse();
    dir = mkdtempSync(join(tmpdir(), 'linedesk-headset-'));
    k = await startKamailio();
    runner = new HeadlessRunner(
      runnerConfig(
        k,
        [
          // Answers by itself, but plays to the headset like an agent's line.
          { id: 'hs', ext: '209', autoAnswerMs: 0, maxCalls: 1, media: { mode: 'device' } },
          { id: 'agent', ext: '219' },
        ],
        { media: { ...VIRTUAL_HEADSET_MEDIA, codecs: ['PCMU', 'PCMA'] } },
      ),
      { env: { PULSE_SERVER: pulse.server } },
    );
    await runner.registered(['hs', 'agent']);
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
    await pulse?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const codec of ['PCMU', 'PCMA'] as const) {
    test(`a ${codec} tone from the caller plays on the headset: 1 kHz ± 1 Hz, level ± 0.5 dB, no dropouts`, async () => {
      const pcap = join(dir, `${codec}.pcap`);
      writeTonePcap(pcap, { codec, seconds: 3, hz: 1000, dbfs: TONE_DBFS });
      const rec = startRecording('headset', 20_000);
      await delay(300);
      const r = await runSipp({ scenario: pcapCallerScenario([pcap], 3_600, codec), target: `127.0.0.1:${k.udpPort}`, service: '209', mediaPort: await freeUdpPortBlock(4), timeoutMs: 20_000 });
      const recording = await rec.stop();
      assert.equal(r.successful, 1, r.errors);
      const a = analyseTone(recording.pcm, recording.rate);
      assert.ok(Math.abs(a.frequencyHz - 1000) < 1, `frequency ${a.frequencyHz} Hz`);
      assert.ok(Math.abs(a.rmsDbfs - TONE_RMS) < 0.5, `level ${a.rmsDbfs.toFixed(2)} dBFS, expected ${TONE_RMS.toFixed(2)}`);
      assert.equal(a.dropouts, 0, 'no dropouts');
      assert.ok(a.durationMs > 2_900 && a.durationMs < 3_200, `the whole 3 s tone played (${a.durationMs} ms)`);
    });
  }

  test('a tone injected into the microphone reaches the far end as RTP that decodes to the same tone', async () => {
    const mediaPort = await freeUdpPortBlock(4);
    const cap = new WireCapture(`udp dst port ${mediaPort}`);
    await cap.start();
    const sipp = startSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: '209', mediaPort, durationMs: 3_000, timeoutMs: 20_000 });
    await runner.waitFor((e) => e.event === 'call.answered' && e.line === 'hs' && !runner.eventsNamed('call.ended').some((x) => x.call === e.call));
    await delay(500);
    await injectTone(440, TONE_DBFS, 1_000);
    const r = await sipp.done;
    await cap.stop();
    assert.equal(r.successful, 1, r.errors);
    const rtp = (await cap.rtp([mediaPort])).filter((p) => p.payloadType === 0);
    cap.dispose();
    assert.ok(rtp.length > 100, `LineDesk sent PCMU (${rtp.length} packets)`);
    const pcm = concat(rtp.map((p) => decodeMulaw(new Uint8Array(p.payload))));
    const a = analyseTone(pcm, 8000);
    assert.ok(Math.abs(a.frequencyHz - 440) < 1, `frequency ${a.frequencyHz} Hz`);
    assert.ok(Math.abs(a.rmsDbfs - TONE_RMS) < 0.5, `level ${a.rmsDbfs.toFixed(2)} dBFS`);
    assert.equal(a.dropouts, 0);
    assert.ok(Math.abs(a.durationMs - 1_000) < 60, `duration ${a.durationMs} ms`);
  });

  test('while a call rings on an agent line the ringer device rings, and the headset stays quiet', async () => {
    const ringer = startRecording('ringer', 20_000);
    const headset = startRecording('headset', 20_000);
    const sipp = startSipp({ scenario: 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: '219', durationMs: 100, timeoutMs: 20_000 });
    const offered = await runner.waitForEvent('call.offered', { line: 'agent' });
    await delay(1_500);
    runner.send({ cmd: 'accept', line: 'agent' });
    await runner.waitForEvent('call.answered', { call: offered.call });
    await delay(800);
    const rang = await ringer.stop();
    const quiet = await headset.stop();
    await sipp.done;
    const ring = analyseTone(rang.pcm, rang.rate);
    assert.ok(ring.peakDbfs > -20, `the ringer played (${ring.peakDbfs.toFixed(1)} dBFS peak)`);
    assert.ok(ring.durationMs > 1_000 && ring.durationMs < 2_600, `it rang while the call rang, and stopped on answer (${ring.durationMs} ms)`);
    assert.ok(analyseTone(quiet.pcm, quiet.rate).peakDbfs < -40, 'nothing rang in the headset');
  });

  test('a headset unplugged mid-call keeps the call: audio falls back to the default device', async () => {
    const pcap = join(dir, 'long.pcap');
    writeTonePcap(pcap, { codec: 'PCMU', seconds: 5, hz: 1000, dbfs: TONE_DBFS });
    const mediaPort = await freeUdpPortBlock(4);
    const cap = new WireCapture(`udp dst port ${mediaPort}`);
    await cap.start();
    const mark = runner.events.length;
    const sipp = startSipp({ scenario: pcapCallerScenario([pcap], 5_500, 'PCMU'), target: `127.0.0.1:${k.udpPort}`, service: '209', mediaPort, timeoutMs: 30_000 });
    await runner.waitForEvent('call.answered', { line: 'hs' }, 10_000, mark);
    await delay(1_500);
    const unpluggedAt = cap.elapsed();
    await unloadSink('headset');
    try {
      const lost = await runner.waitForEvent('device.lost', {}, 10_000, mark);
      assert.equal(lost.device, 'Test_Headset');
      const r = await sipp.done;
      await cap.stop();
      assert.equal(r.successful, 1, `the call went on to its normal end: ${r.errors}`);
      const ended = runner.eventsSince(mark, 'call.ended')[0];
      assert.equal(ended?.reason, 'remote-hangup', 'ended by the caller, not by the unplug');
      const after = (await cap.rtp([mediaPort])).filter((p) => p.time > unpluggedAt + 0.5);
      assert.ok(after.length > 100, `we kept sending media after the unplug (${after.length} packets)`);
    } finally {
      cap.dispose();
      await reloadSink('headset');
    }
  });
});
