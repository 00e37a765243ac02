import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { systemClock } from '../../../src-main/common/clock.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import type { ControlEvent, Stamped } from '../../../src-main/contract/control-events.js';
import { WebhookDelivery, type WebhookStateReport, type WebhookTarget } from '../../../src-main/integrations/webhook-delivery.js';
import { WebhookOutbox } from '../../../src-main/integrations/webhook-outbox.js';
import { migrate } from '../../../src-main/stats/migrations.js';
import { openSqlite } from '../../../src-main/stats/sqlite-driver.js';
import { until } from '../../support/until.js';
import { WebhookReceiver } from '../../support/webhook-receiver.js';

const secret = 'unit-test-secret-0123456789';

function harness(url: string, over: Partial<WebhookTarget> = {}): { d: WebhookDelivery; outbox: WebhookOutbox; reports: WebhookStateReport[] } {
  const db = openSqlite(':memory:');
  migrate(db);
  const outbox = new WebhookOutbox(db);
  const reports: WebhookStateReport[] = [];
  const d = new WebhookDelivery({
    target: { url, secret, timeoutMs: 2_000, maxPending: 1_000, retryMinMs: 20, retryMaxMs: 100, ...over },
    outbox,
    clock: systemClock,
    log: silentLogger,
    agent: 'alice',
    report: (r) => reports.push(r),
  });
  return { d, outbox, reports };
}

const offered = (n: number): Stamped<ControlEvent> => ({ event: 'call.offered', call: `c${n}`, line: 'l1', from: '100', to: '200', attempt: 1, ts: 1_000 + n });

describe('webhook delivery over real HTTP on loopback', () => {
  const receivers: WebhookReceiver[] = [];
  after(async () => {
    for (const r of receivers) await r.stop();
  });
  const receiver = async (mode: 'ok' | 'unavailable' | 'hang' | 'late' | 'down'): Promise<WebhookReceiver> => {
    const r = await WebhookReceiver.start(secret, mode);
    receivers.push(r);
    return r;
  };

  test('enqueue returns before anything is sent; events arrive in order, signed, with delivery ids and headers', async () => {
    const r = await receiver('ok');
    const { d } = harness(r.url);
    for (let n = 1; n <= 20; n++) d.enqueue(offered(n));
    assert.equal(r.posts.length, 0, 'nothing sent while the caller runs');
    await until(() => r.accepted().length === 20, 5_000, '20 deliveries');
    const got = r.accepted();
    assert.deepEqual(got.map((p) => p.json.call), Array.from({ length: 20 }, (_, i) => `c${i + 1}`));
    assert.ok(got.every((p) => p.signature.ok && p.event === 'call.offered' && p.agent === 'alice'));
    assert.deepEqual(JSON.parse(got[0]!.body), offered(1), 'the body is the event as the runner prints it');
    assert.equal(new Set(got.map((p) => p.delivery)).size, 20);
    assert.deepEqual([...got.map((p) => p.seq)].sort((a, b) => a - b), got.map((p) => p.seq), 'sequence numbers rise');
    // The receiver answered; the client takes each event off its queue when the answer arrives.
    await until(() => d.pending === 0, 5_000, 'an empty queue');
    await d.stop(100);
  });

  test('a 503 receiver: the head is retried with the same delivery id until it is taken; nothing is lost or reordered; the state goes failing then ok', async () => {
    const r = await receiver('unavailable');
    const { d, reports } = harness(r.url);
    for (let n = 1; n <= 5; n++) d.enqueue(offered(n));
    await until(() => r.posts.length >= 4, 5_000, 'retries');
    assert.ok(r.posts.every((p) => p.delivery === r.posts[0]!.delivery), 'only the head is tried while failing');
    assert.ok(new Set(r.posts.map((p) => p.body.length)).size === 1);
    assert.equal(reports[0]?.state, 'failing');
    assert.equal(reports[0]?.error, 'HTTP 503');
    assert.equal(reports[0]?.pending, 5);
    await r.setMode('ok');
    await until(() => r.accepted().length === 5, 5_000, 'the backlog');
    assert.deepEqual(r.accepted().map((p) => p.json.call), ['c1', 'c2', 'c3', 'c4', 'c5']);
    assert.equal(reports.at(-1)?.state, 'ok');
    await d.stop(100);
  });

  test('connection refused, then up: everything arrives', async () => {
    const r = await receiver('down');
    const { d, reports } = harness(r.url);
    d.enqueue(offered(1));
    d.enqueue(offered(2));
    await until(() => reports.length > 0, 5_000, 'a failing report');
    assert.match(reports[0]!.error ?? '', /ECONNREFUSED/);
    await r.setMode('ok');
    await until(() => r.accepted().length === 2, 5_000, 'both');
    await d.stop(100);
  });

  test('a receiver that never answers is given up on after timeoutMs, and retried', async () => {
    const r = await receiver('hang');
    const { d, reports } = harness(r.url, { timeoutMs: 300 });
    d.enqueue(offered(1));
    await until(() => reports.length > 0, 5_000, 'the timeout');
    assert.equal(reports[0]!.error, 'no answer within 300 ms');
    await until(() => r.posts.length >= 2, 5_000, 'a retry');
    await r.setMode('ok');
    await until(() => r.accepted().length === 1, 5_000, 'delivery');
    assert.equal(new Set(r.posts.map((p) => p.delivery)).size, 1, 'one delivery id for every attempt');
    await d.stop(100);
  });

  test('at least once: a receiver that took an event but answered too late gets it again with the same delivery id, and dedups it', async () => {
    const r = await receiver('late');
    r.lateMs = 400;
    const { d } = harness(r.url, { timeoutMs: 200 });
    d.enqueue(offered(1));
    d.enqueue(offered(2));
    await until(() => r.posts.filter((p) => p.json.call === 'c1').length >= 2, 5_000, 'c1 sent twice');
    await r.setMode('ok');
    await until(() => d.pending === 0, 5_000, 'both delivered');
    const c1 = r.posts.filter((p) => p.json.call === 'c1');
    assert.equal(new Set(c1.map((p) => p.delivery)).size, 1, 'the same delivery id each time');
    assert.deepEqual(r.accepted().map((p) => p.json.call), ['c1', 'c2'], 'after dedup by delivery id: each once, in order');
    await d.stop(100);
  });

  test('a 400 is a refusal for good: that event is skipped, counted, and the next goes', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const call = (JSON.parse(body) as { call: string }).call;
        seen.push(call);
        res.writeHead(call === 'c2' ? 400 : 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { d, reports } = harness(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      for (let n = 1; n <= 3; n++) d.enqueue(offered(n));
      await until(() => seen.length === 3 && d.pending === 0, 5_000, 'three posts');
      assert.deepEqual(seen, ['c1', 'c2', 'c3']);
      assert.deepEqual(reports, [{ state: 'ok', pending: 1, dropped: 0, rejected: 1 }], 'never failing (a refusal is an answer), the refusal counted');
      await d.stop(100);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('a redirect is not followed: it is a failure, the event stays', async () => {
    let hits = 0;
    let elsewhere = 0;
    const server = createServer((req, res) => {
      if (req.url === '/elsewhere') elsewhere++;
      else hits++;
      req.resume();
      res.writeHead(307, { location: '/elsewhere' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { d, reports } = harness(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
      d.enqueue(offered(1));
      await until(() => reports.length > 0, 5_000, 'a failing report');
      assert.equal(reports[0]!.error, 'HTTP 307: redirect to /elsewhere not followed');
      assert.equal(elsewhere, 0);
      assert.ok(hits >= 1);
      assert.equal(d.pending, 1);
      await d.stop(100);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('past maxPending the oldest go, counted and reported; stop leaves the rest queued', async () => {
    const r = await receiver('down');
    const { d, reports } = harness(r.url, { maxPending: 3, retryMinMs: 5_000, retryMaxMs: 5_000 });
    for (let n = 1; n <= 7; n++) d.enqueue(offered(n));
    assert.equal(d.pending, 3);
    const dropReport = reports.find((x) => x.dropped > 0);
    assert.ok(dropReport, 'the first drop is reported at once');
    await until(() => reports.some((x) => x.state === 'failing'), 5_000, 'failing');
    await d.stop(50);
    assert.equal(d.pending, 3, 'kept for the next start');
    d.enqueue(offered(8));
    assert.equal(d.pending, 3, 'a stopped delivery queues nothing more');
  });
});
