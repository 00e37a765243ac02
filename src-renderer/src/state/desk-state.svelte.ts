import type { ControlEvent, Stamped } from '../../../src-main/contract/control-events.js';
import type { LineDeskApi, WindowHello } from '../../../src-main/contract/ipc-contract.js';
import { applyEvent, deskModelOf, emptyDeskModel, type DeskModel } from '../../../src-main/contract/desk-model.js';
import type { ConnectionState } from '../transport/websocket-api.js';

type Listener = (e: Stamped<ControlEvent>) => void;

/**
 * The window's view of LineDesk: the hello (which window am I), then the desk model folded
 * from the catch-up snapshot and every event after it. After a reconnect, or a `ready`
 * from a core that (re)started after the hello, the window says hello again and the new
 * snapshot replaces the model.
 */
export class DeskState {
  model = $state.raw<DeskModel>(emptyDeskModel);
  hello = $state.raw<WindowHello | undefined>(undefined);
  connection = $state<ConnectionState>('connecting');
  failure = $state<string | undefined>(undefined);
  /** Plain callbacks, not UI state: nothing renders from this list. */
  #listeners: Listener[] = [];
  #offEvents: (() => void) | undefined;

  constructor(private readonly api: LineDeskApi & { onState?: (l: (s: ConnectionState) => void) => () => void }) {}

  async connect(): Promise<void> {
    // After a dropped (or never made) connection, the next open says hello again.
    let stale = false;
    this.api.onState?.((s) => {
      this.connection = s;
      if (s === 'closed') stale = true;
      else if (s === 'open' && stale) {
        stale = false;
        void this.#greet();
      }
    });
    await this.#greet();
    if (!this.api.onState) this.connection = this.hello ? 'open' : 'closed';
  }

  /** Events as they arrive, after they are folded into the model (ringing cues, notices). */
  onEvent(listener: Listener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  async #greet(): Promise<void> {
    this.#offEvents?.();
    const buffered: Stamped<ControlEvent>[] = [];
    let live = false;
    // Subscribe before asking: events that cross the hello are kept and applied after the snapshot.
    this.#offEvents = this.api.onEvent((e) => {
      if (!live) {
        buffered.push(e);
        return;
      }
      this.#apply(e);
    });
    try {
      const hello = await this.api.hello();
      this.hello = hello;
      this.failure = undefined;
      this.model = deskModelOf(hello.snapshot);
      live = true;
      // Events that crossed the hello: those older than the snapshot are in it. Under Electron
      // the hello's answer and events travel on different pipes, so an event sent after the
      // snapshot can arrive first, in the same millisecond; it must not be lost. A same-ms
      // event the snapshot already holds is applied again, in order, which changes nothing.
      const since = latest(hello.snapshot);
      for (const e of buffered) if (e.ts >= since) this.#apply(e);
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
    }
  }

  #apply(e: Stamped<ControlEvent>): void {
    this.model = applyEvent(this.model, e);
    for (const l of this.#listeners) l(e);
    // A core that (re)started after this window's hello (at launch, or with saved settings)
    // may have other pause reasons: a new hello brings them, with a fresh snapshot.
    if (e.event === 'ready') void this.#greet();
  }
}

function latest(events: readonly Stamped<ControlEvent>[]): number {
  return events.reduce((max, e) => Math.max(max, e.ts), 0);
}
