import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canMove, CallState, checkMove } from '../../../src-main/calls/call-state.js';

const all = Object.values(CallState);
const allowed: Record<CallState, CallState[]> = {
  [CallState.Arriving]: [CallState.Queued, CallState.Offered, CallState.Ended],
  [CallState.Queued]: [CallState.Offered, CallState.Ended],
  [CallState.Offered]: [CallState.Offered, CallState.Queued, CallState.Answering, CallState.Ended],
  [CallState.Answering]: [CallState.Active, CallState.Ended],
  [CallState.Dialing]: [CallState.Active, CallState.Ended],
  [CallState.Active]: [CallState.Ended],
  [CallState.Ended]: [],
};

describe('CallState', () => {
  test('exactly the moves of the diagram are allowed; every other one throws', () => {
    for (const from of all) {
      for (const to of all) {
        const ok = allowed[from].includes(to);
        assert.equal(canMove(from, to), ok, `${from} → ${to}`);
        if (ok) assert.doesNotThrow(() => checkMove(from, to));
        else assert.throws(() => checkMove(from, to), new RegExp(`Invalid call state transition from ${from} to ${to}`));
      }
    }
  });

  test('every state but Ended can end; Ended is final', () => {
    for (const s of all) assert.equal(canMove(s, CallState.Ended), s !== CallState.Ended, s);
  });
});
