import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { emptyQuality, type CallRecord } from '../../../src-main/stats/call-record.js';
import { CallStore } from '../../../src-main/stats/call-store.js';
import { LocalOutbox } from '../../../src-main/team/local-outbox.js';

function rec(id: number): CallRecord {
  const t = Date.UTC(2026, 0, 1, 9) + id * 60_000;
  return {
    id, callId: `c${id}`, direction: 'in', line: 'l1', from: '1', fromName: null, to: '2', offeredAt: t, offeredHour: 9, answeredAt: null, endedAt: null,
    disposition: 'ringing', declineReason: null, endReason: null, endCode: null, endDetail: null, queuedMs: 0, talkMs: 0, holdMs: 0, holdSince: null, wrapupMs: 0,
    attempts: [{ seq: 1, line: 'l1', attempt: 1, offeredAt: t, endedAt: null, outcome: null, detail: null, dirty: true }], quality: emptyQuality(),
  };
}

describe('the desk’s outbox (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-outbox-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('queues every change the store writes, in the same transaction; a batch names each record once, in its current state', () => {
    const file = join(dir, 'a.sqlite');
    const store = CallStore.open(file);
    const r1 = rec(store.nextCallId());
    store.saveCall(r1); // before the outbox existed: queued by the first open (backfill)
    const { outbox, backfilled } = LocalOutbox.open(file);
    try {
      assert.equal(backfilled, 1);
      r1.disposition = 'active';
      r1.answeredAt = r1.offeredAt + 1_000;
      r1.attempts[0]!.outcome = 'answered';
      r1.attempts[0]!.dirty = true;
      store.saveCall(r1);
      const r2 = { ...rec(store.nextCallId()), recording: '/home/agent/recordings/c2.wav' };
      store.saveCall(r2);
      outbox.saveLineState({ line: 'l1', state: 'registered', since: 5 });
      const batch = outbox.nextBatch(100)!;
      assert.deepEqual(batch.calls.map((c) => [c.call_id, c.disposition]), [['c1', 'active'], ['c2', 'ringing']]);
      assert.deepEqual(batch.offers.map((o) => [o.call, o.outcome]), [[1, 'answered'], [2, null]]);
      assert.ok(batch.calls.every((c) => !('recording' in c)), 'the recording\'s path stays on the desk');
      assert.deepEqual(batch.lines, [{ line: 'l1', state: 'registered', since: 5 }]);
      assert.equal(batch.entries, outbox.pending().count);
      // A change after the batch was read queues after it: shipping the batch leaves it.
      r2.disposition = 'missed';
      store.saveCall(r2);
      outbox.shipped(batch.lastSeq);
      const next = outbox.nextBatch(100)!;
      assert.deepEqual(next.calls.map((c) => [c.call_id, c.disposition]), [['c2', 'missed']]);
      assert.match(outbox.deskId, /^[0-9a-f-]{36}$/);
    } finally {
      outbox.close();
      store.close();
    }
  });

  test('a store whose team settings are removed stops queueing; put back, it queues its whole history again, same desk id', () => {
    const file = join(dir, 'b.sqlite');
    const store = CallStore.open(file);
    const first = LocalOutbox.open(file);
    const deskId = first.outbox.deskId;
    first.outbox.close();
    assert.equal(LocalOutbox.disable(file), true);
    assert.equal(LocalOutbox.disable(file), false, 'already off');
    const r = rec(store.nextCallId());
    store.saveCall(r);
    const probe = LocalOutbox.open(file);
    try {
      assert.equal(probe.backfilled, 1, 'history queued again when it comes back');
      assert.equal(probe.outbox.deskId, deskId);
    } finally {
      probe.outbox.close();
      store.close();
    }
  });
});
