import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { BaresipPeer } from '../support/baresip-peer.js';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { writeTonePcap } from '../support/pcap-writer.js';
import { freeUdpPortBlock } from '../support/ports.js';
import { ensurePulse, pulseSkipReason, startRecording, VIRTUAL_HEADSET_MEDIA, type PulseDaemon } from '../support/pulse.js';
import { startDevice, type Device } from '../support/sipp.js';
import { earlyMediaCallee, redirectingCallee } from '../support/sipp-pbx-scenarios.js';
import { analyseTone, toneFrequency } from '../support/tone.js';
import { captureSkipReason, WireCapture } from '../support/wire-capture.js';

const skip = peerSkipReason('kamailio', 'sipp', 'baresip') ?? pulseSkipReason();

/**
 * Outbound calls meeting what PBXs answer: a 302 to another extension (followed, one call
 * throughout), a 302 to a host that is not the PBX (refused), and 183 early media (the PBX's
 * ringback or announcement) that must play on the agent's headset before the answer.
 */
describe('outbound calls: 302 followed, early media played', { skip, timeout: 180_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  let pulse: PulseDaemon;
  let dir: string;
  const devices: Device[] = [];
  let baresip: BaresipPeer | undefined;

  before(async () => {
    pulse = await ensurePulse();
    dir = mkdtempSync(join(tmpdir(), 'linedesk-pbx-out-'));
    k = await startKamailio();
    runner = new HeadlessRunner(runnerConfig(k, [{ id: 'ag', ext: '271' }], { media: { ...VIRTUAL_HEADSET_MEDIA, codecs: ['PCMU', 'PCMA'] } }), { env: { PULSE_SERVER: pulse.server } });
    await runner.registered(['ag']);
  });
  after(async () => {
    for (const d of devices) d.kill();
    await Promise.all(devices.map((d) => d.done.catch(() => undefined)));
    await baresip?.stop();
    await runner?.stop();
    await k?.stop();
    await pulse?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const device = async (user: string, answerScenario: string, mediaPort?: number): Promise<Device> => {
    const d = startDevice({ target: `127.0.0.1:${k.udpPort}`, user, lifeMs: 40_000, answerScenario, ...(mediaPort !== undefined ? { mediaPort } : {}) });
    devices.push(d);
    await d.registered;
    return d;
  };

  const startDeviceRinging = async (user: string, ringMs: number): Promise<Device> => {
    const d = startDevice({ target: `127.0.0.1:${k.udpPort}`, user, lifeMs: 40_000, ringMs });
    devices.push(d);
    await d.registered;
    return d;
  };

  test('a 302 to another extension of the PBX is followed: one call, same Call-ID, answered by baresip', async () => {
    baresip = new BaresipPeer({ user: '281', registrarPort: k.udpPort, lifetimeSec: 120 });
    await baresip.start();
    const redirector = await device('280', redirectingCallee(`sip:281@127.0.0.1:${k.udpPort}`));
    const cap = captureSkipReason() ? undefined : new WireCapture(`udp port ${k.udpPort}`);
    await cap?.start();
    await delay(500); // tshark says it captures a moment before it does
    const mark = runner.events.length;
    runner.send({ cmd: 'dial', line: 'ag', target: '280', id: 'd1' });
    const answered = await runner.waitForEvent('call.answered', { line: 'ag' }, 10_000, mark);
    const call = answered.call;
    const redirected = runner.eventsSince(mark, 'call.redirected');
    assert.deepEqual(redirected.map((e) => [e.call, e.target, e.code]), [[call, `sip:281@127.0.0.1:${k.udpPort}`, 302]]);
    await delay(500);
    runner.send({ cmd: 'hangup', line: 'ag' });
    const ended = await runner.waitForEvent('call.ended', { call }, 10_000, mark);
    assert.equal(ended.reason, 'local-hangup');
    const ours = runner.eventsSince(mark).filter((e) => e.event.startsWith('call.') && e.event !== 'call.quality');
    assert.ok(ours.every((e) => e.call === call), `every event names the one call: ${JSON.stringify(ours)}`);
    assert.deepEqual(ours.filter((e) => ['call.dialing', 'call.answered', 'call.ended'].includes(e.event)).map((e) => e.event), ['call.dialing', 'call.answered', 'call.ended'], 'one dialing, one answered, one ended');
    assert.ok(redirector.done !== undefined);
    if (cap) {
      await cap.stop();
      const invites = await cap.fields(`sip.Method == "INVITE" && udp.dstport == ${k.udpPort}`, ['sip.Call-ID', 'sip.CSeq.seq', 'sip.r-uri.user']);
      const flow = (await cap.sip()).map((m) => `${m.srcPort}->${m.dstPort} ${m.firstLine}`).join('\n');
      cap.dispose();
      assert.deepEqual(invites.map(([id, cseq, user]) => [id, cseq, user]), [
        [call, '1', '280'],
        [call, '2', '281'],
      ], `the second INVITE keeps the Call-ID, with a higher CSeq:\n${flow}`);
    }
    await baresip.stop();
    baresip = undefined;
  });

  test('a 302 to a host that is not the PBX is not followed: the call ends with the 302', async () => {
    await device('282', redirectingCallee('sip:premium@198.51.100.7'));
    const mark = runner.events.length;
    runner.send({ cmd: 'dial', line: 'ag', target: '282' });
    const ended = await runner.waitForEvent('call.ended', { line: 'ag' }, 10_000, mark);
    assert.equal(ended.reason, 'rejected');
    assert.equal(ended.code, 302);
    assert.match(String(ended.detail), /198\.51\.100\.7 is not the PBX's/);
    assert.equal(runner.eventsSince(mark, 'call.redirected').length, 0);
  });

  test('a 180 plays the ringback tone in the headset until the answer', async () => {
    await startDeviceRinging('284', 2_500);
    const headset = startRecording('headset', 20_000);
    await delay(300);
    const mark = runner.events.length;
    runner.send({ cmd: 'dial', line: 'ag', target: '284' });
    const answered = await runner.waitForEvent('call.answered', { line: 'ag' }, 10_000, mark);
    const answeredAt = performance.now();
    await delay(1_000);
    runner.send({ cmd: 'hangup', line: 'ag' });
    await runner.waitForEvent('call.ended', { call: answered.call }, 10_000, mark);
    const rec = await headset.stop();
    const ring = analyseTone(rec.pcm, rec.rate);
    assert.ok(ring.peakDbfs > -24 && ring.peakDbfs < -17, `the ringback played at about -20 dBFS (${ring.peakDbfs.toFixed(1)})`);
    assert.ok(ring.durationMs > 1_900 && ring.durationMs < 2_200, `one 2 s burst of the cadence in the 2.5 s it rang (${ring.durationMs} ms)`);
    const end = rec.timeOfSample(ring.onsetIndex + Math.round((ring.durationMs * rec.rate) / 1000));
    assert.ok(end < answeredAt, 'it stopped by the answer');
  });

  test("183 with SDP: the PBX's early audio plays on the headset before the answer, and LineDesk sends no RTP until then", async () => {
    const pcap = join(dir, 'ringback.pcap');
    writeTonePcap(pcap, { codec: 'PCMU', seconds: 2, hz: 1000, dbfs: -12 });
    const mediaPort = await freeUdpPortBlock(4);
    await device('283', earlyMediaCallee(pcap, 3_000), mediaPort);
    const cap = captureSkipReason() ? undefined : new WireCapture(`udp port ${mediaPort} or udp port ${k.udpPort}`);
    await cap?.start();
    const headset = startRecording('headset', 20_000);
    await delay(300);
    const mark = runner.events.length;
    runner.send({ cmd: 'dial', line: 'ag', target: '283' });
    const progress = await runner.waitForEvent('call.progress', { line: 'ag', code: 183 }, 10_000, mark);
    const answered = await runner.waitForEvent('call.answered', { call: progress.call }, 10_000, mark);
    const answeredAt = performance.now();
    await delay(500);
    runner.send({ cmd: 'hangup', line: 'ag' });
    await runner.waitForEvent('call.ended', { call: answered.call }, 10_000, mark);
    const rec = await headset.stop();
    const tone = analyseTone(rec.pcm, rec.rate);
    // The median of 200 ms windows: this test is about which audio plays when; the headset
    // tests (media-headset) hold the tone to ±1 Hz with no dropouts. A 10-30 ms gap showed here
    // in about 1 run in 10 on the 2-core test machine, not yet explained.
    const early = medianWindowFrequency(rec.pcm.subarray(tone.onsetIndex, tone.onsetIndex + Math.round((tone.durationMs * rec.rate) / 1000)), rec.rate);
    assert.ok(Math.abs(early - 1000) < 2, `the early 1 kHz played on the headset (${early} Hz; ${tone.frequencyHz} Hz over the whole tone, ${tone.dropouts} dropouts)`);
    assert.ok(tone.durationMs > 1_800 && tone.durationMs < 2_300, `all of it (${tone.durationMs} ms)`);
    const toneEnd = rec.timeOfSample(tone.onsetIndex + Math.round((tone.durationMs * rec.rate) / 1000));
    assert.ok(toneEnd < answeredAt - 300, `it played before the answer (ended ${(answeredAt - toneEnd).toFixed(0)} ms before)`);
    assert.ok(Number(answered.ts) - Number(progress.ts) > 2_800, 'the 200 came 3 s after the 183');
    if (cap) {
      await cap.stop();
      const rtp = await cap.rtp([mediaPort]);
      const answerTime = (await cap.fields('sip.Status-Code == 200 && sdp', ['frame.time_relative']))[0];
      cap.dispose();
      const ours = rtp.filter((p) => p.dstPort === mediaPort);
      const early = rtp.filter((p) => p.srcPort === mediaPort);
      assert.ok(early.length > 80, `the PBX sent early RTP (${early.length})`);
      assert.ok(ours.length > 10, 'we send once answered');
      if (answerTime?.[0]) assert.ok(ours.every((p) => p.time >= Number(answerTime[0]) - 0.05), 'nothing of ours went out before the 200 (early media is receive-only)');
    }
  });

  test('two forks with early media (a ring group): the newest plays, and the call answered by the other fork goes on (sip.js alone would end it, #502)', async () => {
    const loud = join(dir, 'fork-a.pcap');
    const other = join(dir, 'fork-b.pcap');
    writeTonePcap(loud, { codec: 'PCMU', seconds: 2, hz: 1000 });
    writeTonePcap(other, { codec: 'PCMU', seconds: 2, hz: 500 });
    const portA = await freeUdpPortBlock(4);
    const portB = await freeUdpPortBlock(4);
    // 600 rings 200, 201 and 202 in parallel: A answers after 3 s, B's 183 comes last and it never answers.
    await device('200', earlyMediaCallee(loud, 3_000), portA);
    await device('201', earlyMediaCallee(other, 20_000, 500), portB);
    const cap = captureSkipReason() ? undefined : new WireCapture(`udp port ${portA} or udp port ${portB}`);
    await cap?.start();
    await delay(500);
    const mark = runner.events.length;
    runner.send({ cmd: 'dial', line: 'ag', target: '600' });
    const answered = await runner.waitForEvent('call.answered', { line: 'ag' }, 10_000, mark);
    await delay(1_500);
    assert.equal(runner.eventsSince(mark, 'call.ended').length, 0, 'the call is still up');
    runner.send({ cmd: 'hangup', line: 'ag' });
    const ended = await runner.waitForEvent('call.ended', { call: answered.call }, 10_000, mark);
    assert.equal(ended.reason, 'local-hangup');
    assert.equal(runner.eventsSince(mark, 'call.progress').filter((e) => e.code === 183).length, 2, 'two early dialogs');
    if (cap) {
      await cap.stop();
      const rtp = await cap.rtp([portA, portB]);
      cap.dispose();
      assert.ok(rtp.filter((p) => p.srcPort === portB).length > 20, 'fork B played early media');
      assert.ok(rtp.filter((p) => p.dstPort === portA).length > 40, 'once A answered, our RTP went to A');
      assert.equal(rtp.filter((p) => p.dstPort === portB).length, 0, 'never to B (early media is receive-only)');
    }
  });
});

/** The median frequency of the 200 ms windows of `pcm`. */
function medianWindowFrequency(pcm: Int16Array, rate: number): number {
  const size = Math.round(rate * 0.2);
  const found: number[] = [];
  for (let i = 0; i + size <= pcm.length; i += size) found.push(toneFrequency(pcm.subarray(i, i + size), rate));
  found.sort((a, b) => a - b);
  return found[Math.floor(found.length / 2)] ?? 0;
}
