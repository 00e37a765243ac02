import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { HeadlessRunner, type RunnerEvent } from '../support/headless-runner.js';
import { startKamailio, peerSkipReason, type Kamailio } from '../support/kamailio.js';
import { registrarUri, runnerConfig } from '../support/linedesk-config.js';
import { startSipp } from '../support/sipp.js';
import { runSipvicious } from '../support/sipvicious.js';
import { request } from '../support/sip-text.js';
import { UdpPeer } from '../support/udp-peer.js';

/*
 * LineDesk as seen by an attacker on the same LAN (127.0.0.3 here; Kamailio, the PBX, is
 * 127.0.0.1): it must not ring, answer, reveal itself or hand out its password hash.
 */

const STRANGER = '127.0.0.3';

function udpPortOf(runner: HeadlessRunner): number {
  const ready = runner.eventsNamed('ready')[0]!;
  const udp = (ready.transports as { protocol: string; local: string }[]).find((t) => t.protocol === 'udp')!;
  return Number(udp.local.split(':').pop());
}

/** A counter of the diagnostics command (0 when absent). */
async function counter(runner: HeadlessRunner, name: string, id: string): Promise<number> {
  runner.send({ cmd: 'diagnostics', id });
  const e = (await runner.waitForEvent('diagnostics', { id })) as RunnerEvent & { counters?: Record<string, number> };
  return e.counters?.[name] ?? 0;
}

const callEvents = (runner: HeadlessRunner, mark: number): RunnerEvent[] => runner.eventsSince(mark).filter((e) => /^call\.(offered|answered|queued)$/.test(e.event));

describe('signalling only from the PBX', { skip: peerSkipReason('kamailio', 'svmap', 'svwar'), timeout: 240_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  let port = 0;

  before(async () => {
    k = await startKamailio();
    runner = new HeadlessRunner(runnerConfig(k, [{ id: 'agent', ext: '220' }, { id: 'robot', ext: '221', autoAnswerMs: 0 }]));
    await runner.registered(['agent', 'robot']);
    port = udpPortOf(runner);
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
  });

  test('an INVITE sent straight to the runner from another host rings nothing and gets no answer', async () => {
    const stranger = new UdpPeer();
    await stranger.bind(STRANGER);
    try {
      const mark = runner.events.length;
      const before = await counter(runner, 'sipDroppedUntrusted', 'd0');
      // By AOR, and by the registered Contact (as if the attacker had sniffed a REGISTER).
      const targets = ['220', '221'];
      for (const aor of ['220', '221']) {
        const contact = (await k.contacts(aor))[0]!;
        targets.push(/sip:([^@]+)@/.exec(contact)![1]!);
      }
      let n = 0;
      for (const user of targets) {
        for (const method of ['INVITE', 'OPTIONS']) {
          const branch = `z9hG4bK-stranger-${n++}`;
          const body = method === 'INVITE' ? 'v=0\r\no=- 1 1 IN IP4 127.0.0.3\r\ns=-\r\nc=IN IP4 127.0.0.3\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n' : '';
          const text = request(method, { uri: `sip:${user}@127.0.0.1:${port}`, branch, callId: `stranger-${n}`, via: `Via: SIP/2.0/UDP ${STRANGER}:${stranger.port};branch=${branch};rport`, body });
          await stranger.send(text.replace('Content-Length', method === 'INVITE' ? 'Content-Type: application/sdp\r\nContent-Length' : 'Content-Length'), port);
        }
      }
      await delay(3_000);
      assert.deepEqual(stranger.received, [], 'not a single datagram back');
      assert.deepEqual(callEvents(runner, mark), [], 'no line rang or answered');
      const after = await counter(runner, 'sipDroppedUntrusted', 'd1');
      assert.equal(after - before, targets.length * 2, 'each one dropped and counted');
    } finally {
      stranger.close();
    }
  });

  test('svmap finds no SIP device at the runner\'s port', async () => {
    const mark = runner.events.length;
    for (const method of ['OPTIONS', 'INVITE']) {
      const r = await runSipvicious('svmap', ['-b', STRANGER, '-p', String(port), '-m', method, '127.0.0.1'], 60_000);
      const out = r.stdout + r.stderr;
      assert.doesNotMatch(out, /LineDesk/i, `svmap -m ${method} must not see LineDesk:\n${out}`);
      assert.doesNotMatch(out, new RegExp(`127\\.0\\.0\\.1:${port}\\s*\\|`), `no device listed:\n${out}`);
    }
    assert.deepEqual(callEvents(runner, mark), []);
  });

  for (const method of ['INVITE', 'OPTIONS']) {
    test(`svwar -m ${method} enumerates no extension and rings nothing`, async () => {
      const mark = runner.events.length;
      const r = await runSipvicious('svwar', ['-b', STRANGER, '-m', method, '-e', '200-230', `udp://127.0.0.1:${port}`], 90_000);
      const out = r.stdout + r.stderr;
      assert.doesNotMatch(out, /\|\s*22[01]\s*\|/, `no extension found:\n${out}`);
      assert.doesNotMatch(out, /\b(reqauth|noauth)\b/, `no extension found:\n${out}`);
      await delay(500);
      assert.deepEqual(callEvents(runner, mark), [], 'the scan rang and answered nothing');
    });
  }

  test('the runner does not advertise its version', async () => {
    const out = await k.rpc('ul.lookup', 'location', 's:220');
    const ua = /User-Agent: (.*)$/m.exec(out)?.[1]?.trim();
    assert.equal(ua, 'LineDesk', `Kamailio recorded User-Agent ${ua}`);
  });
});

describe('credentials only to the PBX', { skip: peerSkipReason('kamailio', 'sipp'), timeout: 60_000 }, () => {
  test("a caller's 407 to our BYE (realm \"evil\", no qop) gets no credentials", async () => {
    const k = await startKamailio({ auth: true });
    const runner = new HeadlessRunner(runnerConfig(k, [{ id: 'fish', ext: '219', autoAnswerMs: 0 }]));
    try {
      await runner.registered(['fish']);
      const sipp = startSipp({ scenario: 'uac-bye-407.xml', target: `127.0.0.1:${k.udpPort}`, service: '219', timeoutMs: 30_000 });
      const answered = await runner.waitForEvent('call.answered', { line: 'fish' }, 15_000);
      runner.send({ cmd: 'hangup', line: 'fish' });
      await runner.waitForEvent('call.ended', { call: answered.call }, 15_000);
      const verdict = await sipp.waitForLog(/^(SECOND-BYE|NO-SECOND-BYE)/, 20_000);
      assert.equal(verdict.trim(), 'NO-SECOND-BYE', `the BYE was sent again with credentials: ${verdict}`);
      await sipp.done;
      const refused = runner.stderr.filter((l) => /realm "evil", which the registrar never used: credentials not sent/.test(l));
      assert.ok(refused.length >= 1, `the refusal is logged:\n${runner.stderr.slice(-20).join('\n')}`);
      // The registrar's own challenges are still answered: the line stays registered.
      runner.send({ cmd: 'status', id: 'st' });
      const st = await runner.waitForEvent('status', { id: 'st' });
      assert.equal((st.lines as { state: string }[])[0]!.state, 'registered');
    } finally {
      await runner.stop();
      await k.stop();
    }
  });
});

describe('TLS checks the registrar\'s name', { skip: peerSkipReason('kamailio', 'openssl'), timeout: 60_000 }, () => {
  test('a certificate for DNS:localhost only: a registrar sip:localhost over TLS registers', async () => {
    const k = await startKamailio({ certificateNames: 'DNS:localhost' });
    const runner = new HeadlessRunner(runnerConfig(k, [{ id: 'tls1', ext: '223', protocol: 'tls' }], { caFile: k.caFile, registrarUri: `sip:localhost:${k.tlsPort};transport=tls` }));
    try {
      await runner.registered(['tls1'], 20_000);
      assert.equal((await k.contacts('223')).length, 1);
    } finally {
      await runner.stop();
      await k.stop();
    }
  });

  test('a certificate for another name: the line fails with a reason naming the certificate problem', async () => {
    const k = await startKamailio({ certificateNames: 'DNS:pbx.elsewhere.test' });
    const runner = new HeadlessRunner(runnerConfig(k, [{ id: 'tls2', ext: '224', protocol: 'tls' }], { caFile: k.caFile, registrarUri: `sip:localhost:${k.tlsPort};transport=tls` }));
    try {
      const failed = await runner.waitFor((e) => e.event === 'line.state' && e.line === 'tls2' && e.state === 'failed' && /127\.0\.0\.1/.test(String(e.target)), 20_000, 'tls2 failed on 127.0.0.1');
      assert.match(String(failed.reason), /TLS certificate of localhost .*refused/);
      assert.match(String(failed.reason), /pbx\.elsewhere\.test/, 'names what the certificate is for');
      assert.equal((await k.contacts('224')).length, 0);
    } finally {
      await runner.stop();
      await k.stop();
    }
  });

  test('the test Kamailio over TLS by IP still registers (its certificate lists IP:127.0.0.1)', async () => {
    const k = await startKamailio();
    const runner = new HeadlessRunner(runnerConfig(k, [{ id: 'tls3', ext: '225', protocol: 'tls' }], { caFile: k.caFile, registrarUri: registrarUri(k, 'tls') }));
    try {
      await runner.registered(['tls3'], 20_000);
    } finally {
      await runner.stop();
      await k.stop();
    }
  });
});
