import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ControlEvent, Stamped } from '../../../src-main/contract/control-events.js';
import { deskModelOf, snapshotOf } from '../../../src-main/contract/desk-model.js';
import { trayTooltip } from '../../../src-main/electron-main/tray-state.js';

let clock = 1_000;
const at = <E extends ControlEvent>(e: E): Stamped<ControlEvent> => ({ ...e, ts: (clock += 10) });

describe('the desk model: lamps and voicemail lights', () => {
  const events = [
    at({ event: 'ready', lines: ['l1', 'l2'], transports: [] }),
    at({ event: 'presence', ext: '201', label: 'Bob', state: 'idle' }),
    at({ event: 'presence', ext: '202', label: '202', state: 'offline' }),
    at({ event: 'presence', ext: '201', label: 'Bob', state: 'busy' }),
    at({ event: 'mwi', line: 'l1', waiting: true, new: 2, old: 8 }),
  ];

  test('each lamp keeps its place and takes its latest state; each line its light', () => {
    const m = deskModelOf(events);
    assert.deepEqual(m.presence, [
      { ext: '201', label: 'Bob', state: 'busy' },
      { ext: '202', label: '202', state: 'offline' },
    ]);
    assert.deepEqual(m.mwi, { l1: { line: 'l1', waiting: true, new: 2, old: 8 } });
  });

  test('a presence.list answer replaces both; a new window gets them in its snapshot', () => {
    const m = deskModelOf([...events, at({ event: 'presence.list', lamps: [{ ext: '201', label: 'Bob', state: 'idle' }], mwi: [{ line: 'l2', waiting: false, new: 0, old: 1 }] })]);
    assert.deepEqual(m.presence, [{ ext: '201', label: 'Bob', state: 'idle' }]);
    assert.deepEqual(Object.keys(m.mwi ?? {}), ['l2']);
    const again = deskModelOf(snapshotOf(deskModelOf(events), 5_000));
    assert.deepEqual(again.presence, deskModelOf(events).presence);
    assert.deepEqual(again.mwi, deskModelOf(events).mwi);
  });

  test('the tray tooltip mentions waiting voicemail, briefly', () => {
    assert.match(trayTooltip(deskModelOf(events)), /voicemail: 2 new$/);
    assert.doesNotMatch(trayTooltip(deskModelOf(events.slice(0, 3))), /voicemail/);
  });
});
