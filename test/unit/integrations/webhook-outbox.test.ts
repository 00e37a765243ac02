import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { WebhookOutbox } from '../../../src-main/integrations/webhook-outbox.js';
import { CallStore } from '../../../src-main/stats/call-store.js';
import { migrate } from '../../../src-main/stats/migrations.js';
import { openSqlite } from '../../../src-main/stats/sqlite-driver.js';

const entry = (n: number): { delivery: string; event: string; body: string; at: number } => ({ delivery: `d${n}`, event: 'call.offered', body: `{"n":${n}}`, at: n });

describe('webhook outbox (the store\'s webhook_outbox table)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-webhook-outbox-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('keeps each webhook\'s events in order, separately', () => {
    const db = openSqlite(':memory:');
    migrate(db);
    const o = new WebhookOutbox(db);
    for (let n = 1; n <= 3; n++) o.add('http://a/', entry(n), 100);
    o.add('http://b/', entry(9), 100);
    assert.equal(o.pending('http://a/'), 3);
    assert.equal(o.pending('http://b/'), 1);
    const first = o.head('http://a/');
    assert.equal(first?.delivery, 'd1');
    o.done('http://a/', first.seq);
    assert.equal(o.head('http://a/')?.delivery, 'd2');
    assert.ok(o.head('http://a/')!.seq > first.seq);
    assert.equal(o.pending('http://a/'), 2);
    assert.equal(o.head('http://b/')?.body, '{"n":9}');
  });

  test('past maxPending drops the oldest and says how many; a done of a dropped entry changes nothing', () => {
    const db = openSqlite(':memory:');
    migrate(db);
    const o = new WebhookOutbox(db);
    let dropped = 0;
    for (let n = 1; n <= 5; n++) dropped += o.add('http://a/', entry(n), 5);
    const inFlight = o.head('http://a/')!;
    assert.equal(dropped, 0);
    for (let n = 6; n <= 8; n++) dropped += o.add('http://a/', entry(n), 5);
    assert.equal(dropped, 3);
    assert.equal(o.pending('http://a/'), 5);
    assert.equal(o.head('http://a/')?.delivery, 'd4', 'd1-d3 went, oldest first');
    o.done('http://a/', inFlight.seq);
    assert.equal(o.pending('http://a/'), 5, 'd1 was already dropped');
    const rows = db.prepare<{ delivery: string }>("SELECT delivery FROM webhook_outbox WHERE hook = 'http://a/' ORDER BY seq").all();
    assert.deepEqual(rows.map((r) => r.delivery), ['d4', 'd5', 'd6', 'd7', 'd8']);
  });

  test('survives closing the store: a new run finds the same queue, and forgets webhooks no longer configured', () => {
    const file = join(dir, 'store.sqlite');
    const s1 = CallStore.open(file);
    const o1 = new WebhookOutbox(s1.db);
    for (let n = 1; n <= 4; n++) o1.add('http://a/', entry(n), 100);
    o1.add('http://gone/', entry(7), 100);
    s1.close();

    const s2 = CallStore.open(file);
    try {
      const o2 = new WebhookOutbox(s2.db);
      assert.equal(o2.forgetAllBut(['http://a/']), 1);
      assert.equal(o2.pending('http://a/'), 4);
      assert.equal(o2.pending('http://gone/'), 0);
      assert.deepEqual(o2.head('http://a/'), { seq: 1, delivery: 'd1', event: 'call.offered', body: '{"n":1}', at: 1 });
      o2.add('http://a/', entry(5), 100);
      const seqs = s2.db.prepare<{ seq: number }>('SELECT seq FROM webhook_outbox ORDER BY seq').all().map((r) => r.seq);
      assert.ok(seqs[seqs.length - 1]! > 5, 'AUTOINCREMENT: a seq used before (even by a forgotten entry) is not reused');
    } finally {
      s2.close();
    }
  });
});
