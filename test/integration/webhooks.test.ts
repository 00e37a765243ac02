import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HeadlessRunner, type RunnerEvent } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { startSipp, type RunningSipp } from '../support/sipp.js';
import { until } from '../support/until.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const skip = peerSkipReason('kamailio', 'sipp', 'timeout');

const secret = 'crm-test-secret-0123456789';
/** What the CRM subscribes to. */
const subscribed = ['line.state', 'call.offered', 'call.answered', 'call.ended', 'agent.state', 'screenpop'];
/** Long enough that a call blocked on the webhook would be plain to see; short enough for the test. */
const POST_TIMEOUT_MS = 4_000;

/** An event without its timestamp (the runner's and the webhook's are taken a few µs apart). */
const unstamped = (e: Record<string, unknown>): Record<string, unknown> => {
  const { ts: _ts, ...rest } = e;
  return rest;
};

/**
 * CRM webhooks against a real receiver (node:http on loopback) and the real runner with
 * Kamailio and sipp callers: the receiver is down (port closed), then answers 503, the
 * runner is restarted meanwhile, then the receiver comes up and must have every subscribed
 * event of both runs, in order, signed, each delivery id once after dedup. Last, the
 * receiver hangs on a POST while a call rings and is answered.
 */
describe('webhooks: receiver down, runner restarted or killed, receiver hanging', { skip, timeout: 180_000 }, () => {
  let k: Kamailio;
  let receiver: WebhookReceiver;
  let dir: string;
  const runners: HeadlessRunner[] = [];
  const sipps: RunningSipp[] = [];
  const line = { id: 'w1', ext: '218' };
  /** Subscribed events the runners printed, in order, over both runs. */
  const printed: RunnerEvent[] = [];

  const startRunner = (): HeadlessRunner => {
    const r = new HeadlessRunner({
      ...runnerConfig(k, [line], { store: { path: join(dir, 'desk.sqlite') }, agent: { id: 'agent-7' } }),
      integrations: {
        webhooks: [{ url: receiver.url, events: subscribed, secret, timeoutMs: POST_TIMEOUT_MS, retryMinMs: 100, retryMaxMs: 800 }],
        screenPop: { url: 'https://crm.example.com/pop?from={from}&to={to}&call={call}&agent={agent}', on: 'offered' },
      },
    });
    runners.push(r);
    return r;
  };

  /** One sipp call to the line, answered by the agent; resolves with the runner's offer. */
  const call = async (runner: HeadlessRunner, talkMs: number): Promise<RunnerEvent> => {
    const mark = runner.events.length;
    const sipp = startSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: line.ext, durationMs: talkMs, timeoutMs: 60_000 });
    sipps.push(sipp);
    const offer = await runner.waitForEvent('call.offered', {}, 10_000, mark);
    runner.send({ cmd: 'accept', line: line.id });
    await runner.waitForEvent('call.answered', { call: offer.call }, 10_000, mark);
    return offer;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-webhooks-'));
    k = await startKamailio({ auth: true });
    receiver = await WebhookReceiver.start(secret, 'down');
  });
  after(async () => {
    for (const s of sipps) s.kill();
    await Promise.allSettled(sipps.map((s) => s.done));
    for (const r of runners) await r.stop();
    await receiver?.stop();
    await k?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('receiver closed, then 503, runner restarted meanwhile: after it comes up every event arrives once, in order, signed', async () => {
    const first = startRunner();
    await first.registered([line.id]);

    // Port closed: the calls go on, the webhook says it is failing.
    const offer1 = await call(first, 300);
    await first.waitForEvent('call.ended', { call: offer1.call });
    const refused = await first.waitFor((e) => e.event === 'webhook.state' && e.state === 'failing', 10_000, 'webhook.state failing');
    assert.match(String(refused.error), /ECONNREFUSED/);
    assert.equal(refused.url, receiver.url, 'the URL, without a query');
    const pop = first.eventsNamed('screenpop')[0];
    assert.ok(pop, 'a screen pop for the offered call');
    assert.equal(pop.url, `https://crm.example.com/pop?from=sipp&to=${line.ext}&call=${encodeURIComponent(String(offer1.call))}&agent=agent-7`);
    assert.equal(pop.call, offer1.call);

    // Answering 503: retried, the events kept.
    await receiver.setMode('unavailable');
    const offer2 = await call(first, 300);
    await first.waitForEvent('call.ended', { call: offer2.call });
    await until(() => receiver.posts.filter((p) => p.answered === 503).length >= 3, 10_000, 'three POSTs answered 503');
    await first.waitFor((e) => e.event === 'webhook.state' && e.error === 'HTTP 503', 10_000, 'webhook.state HTTP 503');
    assert.equal(receiver.accepted().length, 0);

    // A clean stop while the receiver still fails: the backlog stays in the store.
    assert.equal(await first.stop(), 0);
    printed.push(...first.events.filter((e) => subscribed.includes(e.event)));
    const postsBeforeRestart = receiver.posts.length;

    const second = startRunner();
    await second.registered([line.id]);
    await until(() => receiver.posts.length > postsBeforeRestart, 10_000, 'the restarted runner retrying the backlog');
    assert.ok(second.stderr.some((l) => /webhook events waiting from an earlier run/.test(l)), second.stderr.join('\n'));

    await receiver.setMode('ok');
    const expectedSoFar = (): number => printed.length + second.events.filter((e) => subscribed.includes(e.event)).length;
    await until(() => receiver.accepted().length >= expectedSoFar(), 20_000, 'the backlog delivered');
    await second.waitFor((e) => e.event === 'webhook.state' && e.state === 'ok', 5_000, 'webhook.state ok');

    // Hanging receiver: a POST is held open while the next call rings and is answered.
    await receiver.setMode('hang');
    const mark = second.events.length;
    const sipp = startSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: line.ext, durationMs: 500, timeoutMs: 60_000 });
    sipps.push(sipp);
    const offer3 = await second.waitForEvent('call.offered', {}, 10_000, mark);
    await until(() => receiver.hanging > 0, 5_000, 'a POST held open by the receiver');
    const heldPosts = receiver.posts.length;
    second.send({ cmd: 'accept', line: line.id });
    await second.waitForEvent('call.answered', { call: offer3.call }, 10_000, mark);
    assert.ok(receiver.hanging > 0 && receiver.posts.length === heldPosts, 'the call was answered while the receiver still held the POST (nothing waits for it)');
    await receiver.setMode('ok');
    await second.waitForEvent('call.ended', { call: offer3.call }, 15_000, mark);

    // Stop the second runner cleanly; what it queued at the stop (the line un-registering) arrives.
    assert.equal(await second.stop(), 0);
    printed.push(...second.events.filter((e) => subscribed.includes(e.event)));
    await until(() => receiver.accepted().length >= printed.length, 10_000, `all ${printed.length} events`);

    const accepted = receiver.accepted();
    const failedChecks = receiver.posts.filter((p) => !p.signature.ok);
    assert.deepEqual(failedChecks.map((p) => p.signature.reason), [], 'every POST is validly signed (also retries: each is signed anew)');
    assert.deepEqual(
      accepted.map((p) => unstamped(p.json)),
      printed.map(unstamped),
      'the receiver has exactly the subscribed events both runners printed, in order',
    );
    assert.ok(accepted.every((p) => p.event === p.json.event && p.agent === 'agent-7'));
    const ids = new Set(receiver.posts.map((p) => p.delivery));
    assert.equal(ids.size, printed.length, 'one delivery id per event: every retry (also across the restart) reused its id');
    for (let i = 1; i < accepted.length; i++) assert.ok(accepted[i]!.seq > accepted[i - 1]!.seq, `sequence rises at ${i}`);
    const redelivered = receiver.posts.filter((p) => p.answered === 200).length - accepted.length;
    const attempts = receiver.posts.length;
    assert.ok(attempts > printed.length, 'the outage caused retries');
    process.stdout.write(`# webhooks: ${printed.length} events, ${attempts} POSTs (${redelivered} duplicates dropped by delivery id), ${receiver.posts.filter((p) => p.answered === 503).length} answered 503\n`);
    assert.ok(printed.some((e) => e.event === 'screenpop' && e.call === offer3.call));
  });

  test('a runner killed (SIGKILL) while the receiver fails: the next start delivers what it had queued', async () => {
    await receiver.setMode('unavailable');
    const postsBefore = receiver.posts.length;
    const acceptedBefore = receiver.accepted().length;
    const doomed = startRunner();
    await doomed.registered([line.id]);
    const offer = await call(doomed, 60_000);
    await until(() => receiver.posts.length > postsBefore, 10_000, 'a POST refused with 503');
    assert.ok(doomed.events.some((e) => e.event === 'screenpop' && e.call === offer.call));
    // Modules handle each event before it reaches stdout: everything printed is queued in the store.
    const queued = doomed.events.filter((e) => subscribed.includes(e.event));
    doomed.child.kill('SIGKILL');
    assert.equal(await doomed.exited, null);
    for (const s of sipps) s.kill();

    await receiver.setMode('ok');
    const next = startRunner();
    await next.registered([line.id]);
    await until(() => receiver.accepted().length >= acceptedBefore + queued.length, 15_000, `the ${queued.length} events of the killed run`);
    const got = receiver.accepted().slice(acceptedBefore, acceptedBefore + queued.length);
    assert.deepEqual(got.map((p) => unstamped(p.json)), queued.map(unstamped), 'the killed run\'s events, in order, before the new run\'s');
    assert.ok(got.every((p) => p.signature.ok));
    assert.equal(await next.stop(), 0);
  });
});
