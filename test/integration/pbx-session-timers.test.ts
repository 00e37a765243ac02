import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { writeTonePcap } from '../support/pcap-writer.js';
import { freeUdpPortBlock } from '../support/ports.js';
import { runSipp, startDevice, startSipp, type Device, type SippResult } from '../support/sipp.js';
import { movingMediaCaller, sessionTimerCallee, sessionTimerCaller } from '../support/sipp-pbx-scenarios.js';
import { captureSkipReason, WireCapture } from '../support/wire-capture.js';

const skip = peerSkipReason('kamailio', 'sipp');
/** Short intervals so a refresh comes within seconds (RFC 4028 wants ≥ 90 s; the config allows less for this). */
const INTERVAL = 6;
const MIN_SE = 4;

/** The sipp clock tick (ms) of each log line starting with `word`: its first all-digits token. */
const ticks = (r: SippResult, word: string): number[] =>
  r.log.filter((l) => l.startsWith(`${word} `)).map((l) => Number(l.split(/\s+/).slice(1).find((w) => /^\d+$/.test(w)) ?? Number.NaN));

/**
 * RFC 4028 session timers against a sipp PBX, both ways: LineDesk as the refresher (by
 * re-INVITE, by UPDATE when allowed, after a 422) and as the refreshee (it answers refreshes
 * with Session-Expires and hangs up when they stop), on calls it dials and calls it takes;
 * and a PBX re-INVITE that moves the media elsewhere mid-call.
 */
describe('session timers and mid-call re-INVITEs from the PBX (sipp)', { skip, timeout: 240_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  let dir: string;
  const devices: Device[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-st-'));
    k = await startKamailio();
    runner = new HeadlessRunner({
      ...runnerConfig(k, [
        { id: 'ag', ext: '273' },
        { id: 'svc', ext: '274', autoAnswerMs: 0 },
      ]),
      sessionTimers: { enabled: true, expiresSec: INTERVAL, minSeSec: MIN_SE },
    });
    await runner.registered(['ag', 'svc']);
  });
  after(async () => {
    for (const d of devices) d.kill();
    await Promise.all(devices.map((d) => d.done.catch(() => undefined)));
    await runner?.stop();
    await k?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Dials a sipp callee registered as `user` with this scenario; resolves with sipp's result once it exited. */
  const dialCallee = async (user: string, scenario: string): Promise<{ result: SippResult; call: string; mark: number }> => {
    const d = startDevice({ target: `127.0.0.1:${k.udpPort}`, user, lifeMs: 25_000, answerScenario: scenario });
    devices.push(d);
    await d.registered;
    const mark = runner.events.length;
    runner.send({ cmd: 'dial', line: 'ag', target: user });
    const answered = await runner.waitForEvent('call.answered', { line: 'ag' }, 10_000, mark);
    const ended = await runner.waitForEvent('call.ended', { call: answered.call }, 30_000, mark);
    await d.waitForLog(/^(BYE-RECEIVED|HUNGUP) /, 5_000).catch(() => undefined); // its last log line, before it is stopped
    d.kill();
    const result = await d.done;
    return { result, call: String(ended.call), mark };
  };

  test('LineDesk refreshes by re-INVITE at half the interval, after retrying a 422 with its Min-SE', async () => {
    const { result, call, mark } = await dialCallee('290', sessionTimerCallee({ intervalSec: 8, refresher: 'uac', first422MinSe: 8 }));
    const log = result.log.join('\n');
    assert.match(log, /TOO-SMALL/);
    assert.match(log, /RETRIED Session-Expires: *8/, 'the retry asked for the 422 Min-SE');
    const refreshes = result.log.filter((l) => l.startsWith('REFRESH '));
    assert.equal(refreshes.length, 2, log);
    assert.ok(refreshes.every((l) => /^REFRESH INVITE /.test(l)), 'by re-INVITE (no UPDATE in Allow)');
    const [answeredAt] = ticks(result, 'ANSWERED');
    const [r1, r2] = ticks(result, 'REFRESH');
    assert.ok(Math.abs(r1! - answeredAt! - 4_000) < 700, `first refresh 4 s after the answer (${r1! - answeredAt!} ms)`);
    assert.ok(Math.abs(r2! - r1! - 4_000) < 700, `then every 4 s (${r2! - r1!} ms)`);
    const ended = runner.eventsSince(mark, 'call.ended').find((e) => e.call === call);
    assert.equal(ended?.reason, 'remote-hangup', 'the call went on until the callee hung up');
  });

  test('LineDesk refreshes by UPDATE when the far end allows it', async () => {
    const { result } = await dialCallee('291', sessionTimerCallee({ intervalSec: INTERVAL, refresher: 'uac', allowUpdate: true }));
    const refreshes = result.log.filter((l) => l.startsWith('REFRESH '));
    assert.equal(refreshes.length, 2, result.log.join('\n'));
    assert.ok(refreshes.every((l) => /^REFRESH UPDATE /.test(l)), refreshes.join('\n'));
  });

  test('as the refreshee LineDesk answers re-INVITE and UPDATE refreshes with Session-Expires, and hangs up when they stop', async () => {
    const { result, call, mark } = await dialCallee('292', sessionTimerCallee({ intervalSec: INTERVAL, refresher: 'uas' }));
    const log = result.log.join('\n');
    assert.match(log, /REFRESHED INVITE .*Session-Expires: *6;refresher=uac .*Require: *timer/);
    assert.match(log, /REFRESHED UPDATE .*Session-Expires: *6;refresher=uac/);
    const [stopped] = ticks(result, 'STOPPED-REFRESHING');
    const [bye] = ticks(result, 'BYE-RECEIVED');
    // interval − min(32 s, interval/3) after the last refresh: 6 − 2 = 4 s.
    assert.ok(Math.abs(bye! - stopped! - 4_000) < 700, `BYE ${bye! - stopped!} ms after the last refresh:\n${log}`);
    const ended = runner.eventsSince(mark, 'call.ended').find((e) => e.call === call);
    assert.equal(ended?.reason, 'local-hangup');
  });

  test('a PBX calling a line as the refresher gets Session-Expires and Require: timer in our 200 and in the 200s to its re-INVITE and UPDATE', async () => {
    const r = await runSipp({ scenario: sessionTimerCaller(INTERVAL), target: `127.0.0.1:${k.udpPort}`, service: '274', timeoutMs: 30_000 });
    assert.equal(r.successful, 1, `${r.log.join('\n')}\n${r.errors}`);
    assert.ok(r.log.some((l) => /^ANSWERED Session-Expires: *6;refresher=uac Require: *timer/.test(l)), r.log.join('\n'));
    assert.ok(r.log.some((l) => l.startsWith('REFRESHED INVITE')));
    assert.ok(r.log.some((l) => l.startsWith('REFRESHED UPDATE')));
  });

  test('an INVITE asking for less than our Min-SE gets 422 with our Min-SE', async () => {
    const mark = runner.events.length;
    const r = await runSipp({ scenario: sessionTimerCaller(2, MIN_SE), target: `127.0.0.1:${k.udpPort}`, service: '274', timeoutMs: 15_000 });
    assert.equal(r.successful, 1, `${r.log.join('\n')}\n${r.errors}`);
    assert.ok(r.log.some((l) => l === `TOO-SMALL Min-SE: ${MIN_SE}`), r.log.join('\n'));
    assert.equal(runner.eventsSince(mark, 'call.offered').length, 0, 'never offered');
  });

  test('a PBX re-INVITE that moves the media to another address and port: our RTP follows it', { skip: captureSkipReason() }, async () => {
    const pcap = join(dir, 'tone.pcap');
    writeTonePcap(pcap, { codec: 'PCMU', seconds: 1, hz: 700 });
    const mediaPort = await freeUdpPortBlock(4);
    const newPort = await freeUdpPortBlock(2);
    const cap = new WireCapture(`udp and (port ${mediaPort} or port ${newPort})`);
    await cap.start();
    await delay(500);
    const mark = runner.events.length;
    const sipp = startSipp({ scenario: movingMediaCaller(pcap, '127.0.0.5', newPort, 1_500, 1_500), target: `127.0.0.1:${k.udpPort}`, service: '273', mediaPort, timeoutMs: 20_000 });
    const offered = await runner.waitForEvent('call.offered', { line: 'ag' }, 10_000, mark);
    runner.send({ cmd: 'accept', line: 'ag' });
    await runner.waitForEvent('call.ended', { call: offered.call }, 15_000, mark);
    const r = await sipp.done;
    await cap.stop();
    assert.equal(r.successful, 1, `${r.log.join('\n')}\n${r.errors}`);
    const rtp = await cap.rtp([mediaPort, newPort]);
    cap.dispose();
    const toOld = rtp.filter((p) => p.dstPort === mediaPort);
    const toNew = rtp.filter((p) => p.dstPort === newPort);
    assert.ok(toOld.length > 30, `before the re-INVITE our RTP went to the first port (${toOld.length})`);
    assert.ok(toNew.length > 30, `after it, to the new address and port (${toNew.length})`);
    const lastOld = Math.max(...toOld.map((p) => p.time));
    const firstNew = Math.min(...toNew.map((p) => p.time));
    assert.ok(lastOld <= firstNew + 0.05, `no RTP to the old port once it moved (last old ${lastOld.toFixed(3)} s, first new ${firstNew.toFixed(3)} s)`);
    assert.ok(toNew.every((p) => p.payloadType === 0), 'same codec');
  });
});
