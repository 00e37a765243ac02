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
import { startDevice, type Device } from '../support/sipp.js';
import { earlyMediaCallee } from '../support/sipp-pbx-scenarios.js';

const skip = peerSkipReason('kamailio', 'baresip', 'sipp');

/*
 * A far end that goes away without a BYE (a power cut, its network gone) is played by a
 * real baresip frozen with SIGSTOP: no RTP, no RTCP, no SIP from then on. The line must not
 * stay busy for ever.
 */
describe('the RTP timeout: a far end that went away without a BYE', { skip, timeout: 90_000 }, () => {
  let k: Kamailio;
  let peer: BaresipPeer;
  let runner: HeadlessRunner;
  let dir: string;
  let device: Device | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-rtp-timeout-'));
    k = await startKamailio();
    peer = new BaresipPeer({ user: '304', registrarPort: k.udpPort, lifetimeSec: 85, audio: true, codecs: ['PCMU'] });
    await peer.start();
    runner = new HeadlessRunner(runnerConfig(k, [{ id: 'agent', ext: '224', media: { mode: 'echo' } }], { media: { rtpTimeoutSeconds: 2 } }));
    await runner.registered(['agent']);
  });
  after(async () => {
    device?.kill();
    await device?.done.catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    if (peer?.pid) process.kill(peer.pid, 'SIGCONT');
    await runner?.stop();
    await peer?.stop();
    await k?.stop();
  });

  const freeze = (): void => void process.kill(peer.pid!, 'SIGSTOP');
  const thaw = (): void => void process.kill(peer.pid!, 'SIGCONT');

  test('held calls are not watched; a call whose far end stops sending is ended as failed within the timeout, and the line is free again', async () => {
    const mark = runner.events.length;
    runner.send({ cmd: 'dial', line: 'agent', target: '304', id: 'dial-1' });
    const answered = await runner.waitForEvent('call.answered', { line: 'agent' }, 10_000, mark);
    await delay(1000);
    // On hold (we are sendonly: the far end sends no audio) a silent far end is expected.
    runner.send({ cmd: 'hold', line: 'agent', on: true, id: 'hold' });
    await runner.waitForEvent('call.held', { call: answered.call, on: true }, 5000, mark);
    freeze();
    await delay(5000);
    assert.equal(runner.eventsSince(mark, 'call.ended').length, 0, 'a held call outlived 2.5 timeouts of silence');
    thaw();
    runner.send({ cmd: 'hold', line: 'agent', on: false, id: 'resume' });
    await runner.waitForEvent('call.held', { call: answered.call, on: false }, 5000, mark);
    await delay(1000);
    const frozenAt = Date.now();
    freeze();
    const ended = await runner.waitForEvent('call.ended', { call: answered.call }, 10_000, mark);
    const after = Date.now() - frozenAt;
    thaw();
    assert.equal(ended.reason, 'failed');
    assert.match(String(ended.detail), /no RTP or RTCP from the far end for [2-4] s/);
    assert.ok(after >= 1500 && after < 6000, `ended ${after} ms after the far end went silent (timeout 2 s, checked every 0.5 s)`);
    // The line takes the next call.
    const again = runner.events.length;
    runner.send({ cmd: 'dial', line: 'agent', target: '304', id: 'dial-2' });
    const second = await runner.waitForEvent('call.answered', { line: 'agent' }, 10_000, again);
    await delay(3000);
    assert.equal(runner.eventsSince(again, 'call.ended').length, 0, 'a call with audio both ways is not cut');
    runner.send({ cmd: 'hangup', line: 'agent' });
    await runner.waitForEvent('call.ended', { call: second.call }, 5000, again);
  });

  test('a 183 whose early media sends nothing while it rings is not cut; once answered, silence ends the call', async () => {
    // 100 ms of early audio, then 5 s of ringing with no RTP (a PBX queue's silent 183), then a 200 and no RTP at all.
    const pcap = join(dir, 'blip.pcap');
    writeTonePcap(pcap, { codec: 'PCMU', seconds: 0.1 });
    device = startDevice({ target: `127.0.0.1:${k.udpPort}`, user: '285', lifeMs: 40_000, answerScenario: earlyMediaCallee(pcap, 5_000), mediaPort: await freeUdpPortBlock(4) });
    await device.registered;
    const mark = runner.events.length;
    runner.send({ cmd: 'dial', line: 'agent', target: '285', id: 'dial-early' });
    const progress = await runner.waitForEvent('call.progress', { line: 'agent', code: 183 }, 10_000, mark);
    const answered = await runner.waitForEvent('call.answered', { call: progress.call }, 10_000, mark);
    assert.ok(Number(answered.ts) - Number(progress.ts) > 4_500, 'it rang 5 s of silent early media, 2.5 timeouts, and was answered');
    const ended = await runner.waitForEvent('call.ended', { call: answered.call }, 10_000, mark);
    const after = Number(ended.ts) - Number(answered.ts);
    assert.equal(ended.reason, 'failed');
    assert.match(String(ended.detail), /no RTP or RTCP from the far end/);
    assert.ok(after >= 1500 && after < 6000, `ended ${after} ms after the answer (timeout 2 s)`);
  });
});
