import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { ControlEvent, Stamped } from '../../../src-main/contract/control-events.js';
import type { LineDeskApi, WindowHello } from '../../../src-main/contract/ipc-contract.js';
import type { DeskModel } from '../../../src-main/contract/desk-model.js';
import { loadRuneModule } from './rune-module.js';

interface DeskStateLike {
  model: DeskModel;
  hello: WindowHello | undefined;
  connect(): Promise<void>;
  onEvent(l: (e: Stamped<ControlEvent>) => void): () => void;
}
let DeskState: new (api: LineDeskApi) => DeskStateLike;

const T = 1_000_000;
const ready = (ts: number): Stamped<ControlEvent> => ({ event: 'ready', lines: ['l1'], transports: [], ts });
const offered = (call: string, ts: number): Stamped<ControlEvent> => ({ event: 'call.offered', call, line: 'l1', from: '1', to: '2', attempt: 1, ts });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A LineDeskApi whose hello answers with `snapshot` and the current `reasons`; `during` runs while the hello is on its way. */
function fakeApi(snapshot: () => Stamped<ControlEvent>[]) {
  const listeners = new Set<(e: Stamped<ControlEvent>) => void>();
  const fake = {
    hellos: 0,
    reasons: ['break'],
    during: (): void => {},
    emit: (e: Stamped<ControlEvent>) => [...listeners].forEach((l) => l(e)),
    api: {
      hello: (): Promise<WindowHello> => {
        fake.hellos++;
        const hello: WindowHello = { kind: 'dashboard', locale: 'en', snapshot: snapshot(), pauseReasons: fake.reasons };
        fake.during();
        fake.during = () => {};
        return Promise.resolve(hello);
      },
      onEvent: (l: (e: Stamped<ControlEvent>) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      command: () => Promise.resolve({ ok: true as const }),
      getSettings: () => Promise.reject(new Error('not here')),
      saveSettings: () => Promise.resolve({ ok: true as const }),
    } satisfies LineDeskApi,
  };
  return fake;
}

describe('DeskState (a window\'s model)', () => {
  before(async () => {
    ({ DeskState } = await loadRuneModule<{ DeskState: typeof DeskState }>('state/desk-state.svelte.ts'));
  });

  test('a core that (re)starts after the hello brings a new hello, with its pause reasons', async () => {
    const f = fakeApi(() => [ready(T)]);
    const d = new DeskState(f.api);
    await d.connect();
    assert.equal(f.hellos, 1, 'the ready in the snapshot is not a restart');
    assert.deepEqual(d.hello?.pauseReasons, ['break']);
    f.reasons = ['coffee'];
    f.emit(ready(T + 5_000));
    await settle();
    assert.equal(f.hellos, 2);
    assert.deepEqual(d.hello?.pauseReasons, ['coffee']);
  });

  test('an event sent after the snapshot but arriving before the hello, in the same millisecond, is not lost', async () => {
    const f = fakeApi(() => [ready(T), { event: 'line.state', line: 'l1', state: 'registered', ts: T }]);
    f.during = () => f.emit(offered('c1', T));
    const d = new DeskState(f.api);
    await d.connect();
    assert.deepEqual(d.model.lines[0]?.offers.map((o) => o.call), ['c1']);
  });

  test('events older than the snapshot, already in it, are not applied again', async () => {
    const f = fakeApi(() => [ready(T), offered('c0', T - 10)]);
    f.during = () => f.emit(offered('c0', T - 10));
    const d = new DeskState(f.api);
    const seen: string[] = [];
    d.onEvent((e) => seen.push(e.event));
    await d.connect();
    assert.deepEqual(seen, []);
    assert.deepEqual(d.model.lines[0]?.offers.map((o) => o.call), ['c0']);
  });
});
