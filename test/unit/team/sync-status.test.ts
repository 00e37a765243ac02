import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SyncStatus, type SyncReport } from '../../../src-main/team/sync-status.js';

describe('team.sync reporting', () => {
  test('says each change of state or reason once; while behind, progress at most once a second', () => {
    let now = 0;
    const said: SyncReport[] = [];
    const s = new SyncStatus((r) => said.push(r), () => now);
    s.report({ state: 'offline', pending: 3, lagMs: 10, reason: 'unreachable' });
    now += 100;
    s.report({ state: 'offline', pending: 9, lagMs: 900, reason: 'unreachable' });
    s.report({ state: 'offline', pending: 9, lagMs: 900, reason: 'no schema' });
    s.report({ state: 'behind', pending: 9, lagMs: 950 });
    now += 200;
    s.report({ state: 'behind', pending: 5, lagMs: 600 });
    now += 1_000;
    s.report({ state: 'behind', pending: 2, lagMs: 100 });
    s.report({ state: 'connected', pending: 0, lagMs: 0 });
    s.report({ state: 'connected', pending: 0, lagMs: 0 });
    assert.deepEqual(said.map((r) => [r.state, r.pending, r.reason ?? '']), [
      ['offline', 3, 'unreachable'],
      ['offline', 9, 'no schema'],
      ['behind', 9, ''],
      ['behind', 2, ''],
      ['connected', 0, ''],
    ]);
  });
});
