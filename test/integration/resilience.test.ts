import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { branchOf, LossyRelay } from '../support/lossy-relay.js';
import { repoRoot } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { runSipp } from '../support/sipp.js';
import { request } from '../support/sip-text.js';
import { UdpPeer } from '../support/udp-peer.js';

const skip = peerSkipReason('kamailio', 'sipp');

describe('lost UDP messages are retransmitted (lossy relay in front of Kamailio)', { skip, timeout: 90_000 }, () => {
  let k: Kamailio;
  let relay: LossyRelay;
  let runner: HeadlessRunner;
  const droppedOnce = new Set<string>();

  before(async () => {
    k = await startKamailio({ auth: true });
    // Drop the first copy of: each REGISTER, each response to REGISTER, the first INVITE
    // Kamailio sends us, and our first 200 OK to an INVITE. Every loss must be repaired by a retransmission.
    relay = new LossyRelay({ host: '127.0.0.1', port: k.udpPort }, ({ direction, text }) => {
      const first = text.slice(0, text.indexOf('\r\n'));
      const cseq = /^CSeq:\s*(\d+ \w+)/im.exec(text)?.[1] ?? '';
      const kind = /^SIP\/2\.0 (\d+)/.test(first) ? `resp ${first.split(' ')[1]} ${cseq}` : `req ${first.split(' ')[0]} ${cseq}`;
      const interesting = /REGISTER|INVITE/.test(cseq) && !/^resp 100/.test(kind) && !/^req ACK/.test(kind);
      const key = `${direction} ${kind} ${branchOf(text)}`;
      if (!interesting || droppedOnce.has(key)) return false;
      droppedOnce.add(key);
      return true;
    });
    const port = await relay.start();
    runner = new HeadlessRunner(runnerConfig(k, [{ id: 'r1', ext: '212', autoAnswerMs: 0 }], { registrarUri: `sip:127.0.0.1:${port}` }));
  });
  after(async () => {
    await runner?.stop();
    relay?.close();
    await k?.stop();
  });

  test('registration succeeds although the first REGISTER and the first answers are lost', async () => {
    await runner.registered(['r1'], 20_000);
    const sent = relay.matching('to-server', /^REGISTER /);
    const dropped = sent.filter((d) => d.dropped);
    assert.ok(dropped.length >= 2, 'some REGISTERs were dropped');
    for (const d of dropped) {
      const again = sent.filter((s) => branchOf(s.text) === branchOf(d.text));
      assert.ok(again.length >= 2, `the dropped REGISTER ${branchOf(d.text)} was sent again with the same branch`);
    }
    assert.ok(relay.matching('to-client', /^SIP\/2\.0 (401|200) /).some((d) => d.dropped), 'a lost REGISTER response was recovered');
  });

  test('a call completes although the INVITE to us and our 200 OK were each lost once', async () => {
    const r = await runSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: '212', durationMs: 200, timeoutMs: 20_000 });
    assert.equal(r.successful, 1, r.errors);
    const ours = relay.matching('to-server', /^SIP\/2\.0 200 /).filter((d) => /CSeq:\s*\d+ INVITE/i.test(d.text));
    assert.ok(ours.some((d) => d.dropped) && ours.some((d) => !d.dropped), 'our 200 OK was retransmitted after a loss');
    assert.ok(relay.matching('to-client', /^INVITE /).some((d) => d.dropped), 'the INVITE was lost once and retransmitted by Kamailio');
    const ended = await runner.waitForEvent('call.ended', { line: 'r1' });
    assert.equal(ended.reason, 'remote-hangup');
    assert.equal(runner.eventsNamed('call.offered').length, 1, 'the retransmitted INVITE did not become a second call');
  });
});

describe('the runner answers retransmissions itself and survives malformed input', { skip, timeout: 60_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  let peer: UdpPeer;
  let port = 0;

  before(async () => {
    k = await startKamailio();
    runner = new HeadlessRunner(runnerConfig(k, [{ id: 'm1', ext: '213', autoAnswerMs: 0 }]));
    await runner.registered(['m1']);
    const ready = runner.eventsNamed('ready')[0]!;
    port = Number(String((ready.transports as { local: string }[])[0]!.local).split(':')[1]);
    peer = new UdpPeer();
    await peer.bind();
  });
  after(async () => {
    peer?.close();
    await runner?.stop();
    await k?.stop();
  });

  test('a 404 for no line is sent once, not retransmitted (a stateless answer keeps no state)', async () => {
    await peer.send(request('INVITE', { uri: `sip:nobody@127.0.0.1:${port}`, branch: 'z9hG4bK-g1', via: `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-g1` }), port);
    await peer.next((m) => m.startsWith('SIP/2.0 404') && m.includes('z9hG4bK-g1'));
    await delay(2500);
    assert.equal(peer.received.filter((m) => m.includes('z9hG4bK-g1')).length, 0, 'no retransmission (Timer G would have resent it at 0.5, 1 and 2 s)');
  });

  test('a retransmitted BYE gets the same answer and is processed once (Timer J)', async () => {
    const contact = (await k.contacts('213'))[0]!;
    const user = /sip:([^@]+)@/.exec(contact)![1]!;
    const bye = request('BYE', { uri: `sip:${user}@127.0.0.1:${port}`, branch: 'z9hG4bK-j1', toTag: 'nodialog', via: `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-j1` });
    await peer.send(bye, port);
    const a = await peer.next((m) => m.includes('z9hG4bK-j1'));
    await peer.send(bye, port);
    const b = await peer.next((m) => m.includes('z9hG4bK-j1'));
    assert.match(a, /^SIP\/2\.0 481 /);
    assert.equal(b, a, 'identical response, from the cache (sip.js would answer with a fresh To tag)');
  });

  test('truncated, bad Content-Length, missing Call-ID, huge headers and garbage: 400/513 or dropped, and the runner keeps working', async () => {
    const via = (b: string): string => `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${b}`;
    const uri = `sip:213@127.0.0.1:${port}`;
    const cases: [string, string, RegExp][] = [
      ['truncated', request('INVITE', { uri, branch: 'z9hG4bK-b1', via: via('z9hG4bK-b1'), body: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n' }).replace(/Content-Length: \d+/, 'Content-Length: 300'), /^SIP\/2\.0 400 /],
      ['bad Content-Length', request('OPTIONS', { uri, branch: 'z9hG4bK-b2', via: via('z9hG4bK-b2') }).replace('Content-Length: 0', 'Content-Length: banana'), /^SIP\/2\.0 400 /],
      ['missing Call-ID', request('OPTIONS', { uri, branch: 'z9hG4bK-b3', via: via('z9hG4bK-b3') }).replace(/Call-ID: [^\r]*\r\n/, ''), /^SIP\/2\.0 400 /],
      ['huge headers', request('OPTIONS', { uri, branch: 'z9hG4bK-b4', via: via('z9hG4bK-b4') }).replace('Max-Forwards: 70', `X-Huge: ${'h'.repeat(50_000)}`), /^SIP\/2\.0 513 /],
    ];
    for (const [name, text, expected] of cases) {
      await peer.send(text, port);
      const branch = /branch=(z9hG4bK-b\d)/.exec(text)![1]!;
      assert.match(await peer.next((m) => m.includes(branch)), expected, name);
    }
    for (const junk of ['\x00\x01\x02', 'GET / HTTP/1.1\r\n\r\n', 'SIP/2.0 200 OK\r\n\r\n', 'INVITE sip:x SIP/2.0\r\nVia: broken\r\n\r\n']) await peer.send(junk, port);
    runner.send({ cmd: 'status', id: 'after-junk' });
    await runner.waitForEvent('status', { id: 'after-junk' });
    const r = await runSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: '213', durationMs: 100, timeoutMs: 15_000 });
    assert.equal(r.successful, 1, 'calls still work');
    assert.equal(runner.child.exitCode, null, 'still running');
  });
});

describe('registrar failure and recovery', { skip, timeout: 120_000 }, () => {
  test('when the registrar stops and starts again, every line (UDP and TCP) re-registers and takes calls', async () => {
    const k = await startKamailio({ auth: true });
    const runner = new HeadlessRunner(
      runnerConfig(k, [
        { id: 'u', ext: '214', autoAnswerMs: 0 },
        { id: 't', ext: '215', protocol: 'tcp', autoAnswerMs: 0 },
      ]),
    );
    try {
      await runner.registered(['u', 't']);
      await k.stop();
      // UDP notices through its OPTIONS heartbeat, TCP through the closed connection.
      await runner.waitForEvent('line.state', { line: 'u', state: 'down' }, 15_000);
      await runner.waitFor((e) => e.event === 'line.state' && e.line === 't' && (e.state === 'down' || e.state === 'failed'), 15_000);
      const mark = runner.events.length;
      await k.start();
      // The test Kamailio keeps contacts in memory only (usrloc db_mode 0): the restarted one
      // knows nobody, so the contacts below were registered again after the restart (a UDP
      // line may already have done so by now: checking "empty" here would race it).
      for (const line of ['u', 't']) await runner.waitForEvent('line.state', { line, state: 'registered' }, 20_000, mark);
      assert.equal((await k.contacts('214')).length, 1);
      assert.equal((await k.contacts('215')).length, 1);
      for (const ext of ['214', '215']) {
        const r = await runSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: ext, durationMs: 100, timeoutMs: 15_000 });
        assert.equal(r.successful, 1, `${ext} reachable after recovery`);
      }
    } finally {
      await runner.stop();
      await k.stop();
    }
  });

  test('a dead primary registrar hands over to the backup', async () => {
    const k = await startKamailio({ auth: true });
    const dead = await freePort('udp');
    const runner = new HeadlessRunner(runnerConfig(k, [{ id: 'b', ext: '216' }], { registrarUri: `sip:127.0.0.1:${dead}`, backups: [`sip:127.0.0.1:${k.udpPort}`], timers: { t1: 100, t2: 500, retryMinMs: 100 } }));
    try {
      const failed = await runner.waitForEvent('line.state', { line: 'b', state: 'failed' }, 15_000);
      assert.equal(failed.registrar, `sip:127.0.0.1:${dead}`);
      const ok = await runner.waitForEvent('line.state', { line: 'b', state: 'registered' }, 15_000);
      assert.equal(ok.registrar, `sip:127.0.0.1:${k.udpPort}`);
      assert.equal((await k.contacts('216')).length, 1);
    } finally {
      await runner.stop();
      await k.stop();
    }
  });

  test('shutdown un-registers every line and does not wait 32 s for a registrar that is gone', async () => {
    const k = await startKamailio({ auth: true });
    const runner = new HeadlessRunner(runnerConfig(k, [1, 2, 3, 4].map((i) => ({ id: `s${i}`, ext: '217' }))));
    let runner2: HeadlessRunner | undefined;
    try {
      await runner.registered(['s1', 's2', 's3', 's4']);
      assert.equal((await k.contacts('217')).length, 4);
      const stopped = runner.stop();
      await runner.waitForEvent('stopped', {}, 10_000);
      assert.equal(await stopped, 0);
      assert.deepEqual(await k.contacts('217'), [], 'all four contacts were removed');
      runner2 = new HeadlessRunner(runnerConfig(k, [{ id: 'z', ext: '218' }], { timers: { unregisterTimeoutMs: 500 } }));
      await runner2.registered(['z']);
      await k.stop();
      const t0 = Date.now();
      assert.equal(await runner2.stop(20_000), 0);
      assert.ok(Date.now() - t0 < 10_000, 'bounded by unregisterTimeoutMs, not Timer F');
    } finally {
      // stop() is idempotent: after a failure the second runner must not outlive the test
      await runner2?.stop();
      await runner.stop();
      await k.stop();
    }
  });
});

describe('bad configuration', () => {
  test('exits with code 2 and names the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-badcfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ transport: { protocol: 'udp' }, registrar: { uri: 'sip:127.0.0.1' }, lines: [{ id: 'x', aor: 'sip:200@h', username: '200', password: 1 }] }));
    const r = spawnSync(process.execPath, [join(repoRoot(), 'dist/src-main/headless/cli.js'), '--config', file], { encoding: 'utf8', timeout: 20_000 });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /lines\[0\]\.password: /);
    assert.equal(r.stdout, '', 'nothing on the event stream');
    const missing = spawnSync(process.execPath, [join(repoRoot(), 'dist/src-main/headless/cli.js')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /missing --config/);
  });
});
