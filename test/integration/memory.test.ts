import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { HeadlessRunner, type RunnerEvent } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { freeUdpPortBlock } from '../support/ports.js';
import { runSipp } from '../support/sipp.js';

const skip = peerSkipReason('kamailio', 'sipp');

interface Diagnostics {
  collected: boolean;
  memory: { heapUsed: number; rss: number; external: number; arrayBuffers: number };
  held: Record<string, number>;
}

const MB = 1024 * 1024;

/**
 * Every ended call is let go: after 1000 calls through Kamailio (echo service line, each
 * with its media), once the SIP timers that keep a transaction after its end have run out
 * (64*T1 = 32 s; the test shortens T1 so that this is 4 s), nothing is held for those calls
 * and the heap is back near where it started. (The mux keeps a transaction's routing
 * 64*T1 + 10 s after its last message and sweeps every 5 s: about 20 s here.)
 */
describe('memory: 1000 calls, then nothing held', { skip, timeout: 240_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  let n = 0;
  const diagnostics = async (): Promise<Diagnostics> => {
    const id = `d${++n}`;
    runner.send({ cmd: 'diagnostics', gc: true, id });
    return (await runner.waitForEvent('diagnostics', { id })) as RunnerEvent & Diagnostics;
  };

  before(async () => {
    k = await startKamailio();
    // T1 = 62.5 ms: every "keep for 64*T1" (transactions, retransmission caches, claims) lasts 4 s.
    // No OPTIONS heartbeat: on a loaded machine a late answer would mark the line down and
    // refuse calls (480), which is not what this test is about.
    runner = new HeadlessRunner(runnerConfig(k, [{ id: 'echo', ext: '221', autoAnswerMs: 0, maxCalls: 200 }], { timers: { t1: 63, t2: 500, heartbeatMs: 0 } }), { env: { NODE_OPTIONS: '--expose-gc' } });
    await runner.registered(['echo']);
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
  });

  test('after 1000 calls have ended, no call, transaction, dialog or media is held, and the heap returns to its baseline', async (t) => {
    // Warm up (code paths compiled, pools filled), then take the baseline.
    const mediaPort = await freeUdpPortBlock(4);
    const warm = await runSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: '221', calls: 50, rate: 50, limit: 50, durationMs: 200, mediaPort, timeoutMs: 60_000 });
    assert.equal(warm.successful, 50, warm.errors);
    await settle(diagnostics);
    const base = await diagnostics();
    assert.equal(base.collected, true, 'the runner collects garbage on request (--expose-gc)');

    const r = await runSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: '221', calls: 1000, rate: 50, limit: 50, durationMs: 300, mediaPort, timeoutMs: 180_000 });
    assert.equal(r.successful, 1000, r.errors);
    const after = await settle(diagnostics);

    // Per call: nothing left. Requests of our own (registration refreshes, heartbeats) keep a
    // few client records at any time, as many as before the calls.
    const perCall = ['callsLive', 'callsLingering', 'muxServerFlows', 'udpCachedServer', 'sipClientTransactions', 'sipServerTransactions', 'sipDialogs', 'sipSessions', 'mediaCalls'];
    for (const what of perCall) assert.equal(after.held[what], 0, `${what} still held: ${JSON.stringify(after.held)}`);
    for (const what of ['muxClientBranches', 'udpCachedClient']) assert.ok((after.held[what] ?? 0) <= (base.held[what] ?? 0) + 20, `${what}: ${base.held[what]} before, ${after.held[what]} after`);
    const grewMb = (after.memory.heapUsed - base.memory.heapUsed) / MB;
    t.diagnostic(`heap ${(base.memory.heapUsed / MB).toFixed(1)} → ${(after.memory.heapUsed / MB).toFixed(1)} MB, array buffers ${(base.memory.arrayBuffers / MB).toFixed(1)} → ${(after.memory.arrayBuffers / MB).toFixed(1)} MB, rss ${(base.memory.rss / MB).toFixed(0)} → ${(after.memory.rss / MB).toFixed(0)} MB`);
    assert.ok(grewMb < 4, `heap ${(base.memory.heapUsed / MB).toFixed(1)} → ${(after.memory.heapUsed / MB).toFixed(1)} MB after 1000 calls (+${grewMb.toFixed(1)} MB)`);
    const buffersMb = (after.memory.arrayBuffers - base.memory.arrayBuffers) / MB;
    assert.ok(buffersMb < 4, `array buffers +${buffersMb.toFixed(1)} MB`);
  });
});

/** Waits (bounded) until nothing per call is held any more; returns the last diagnostics. */
async function settle(diagnostics: () => Promise<Diagnostics>): Promise<Diagnostics> {
  let d = await diagnostics();
  const perCallHeld = (x: Diagnostics): boolean => Object.entries(x.held).some(([k, v]) => v > 0 && !k.endsWith('Client') && k !== 'muxClientBranches');
  for (let i = 0; i < 60 && perCallHeld(d); i++) {
    await delay(500);
    d = await diagnostics();
  }
  return d;
}
