import type { Clock, TimerHandle } from '../common/clock.js';

interface Entry<T> {
  item: T;
  /** Arrival order of the call: a call that comes back after a decline keeps its place. */
  seq: number;
  since: number;
  timer: TimerHandle;
}

/**
 * Calls waiting for a free line, served in arrival order. Each waits at most `maxWaitMs`
 * (then `onExpired` decides its fate); at most `maxLength` wait at once.
 */
export class CallQueue<T> {
  #entries: Entry<T>[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly maxLength: number,
    private readonly maxWaitMs: number,
    private readonly onExpired: (item: T) => void,
  ) {}

  get length(): number {
    return this.#entries.length;
  }

  get full(): boolean {
    return this.#entries.length >= this.maxLength;
  }

  /**
   * Queues `item` by its arrival number. Returns its 1-based position, or undefined when the
   * queue is full. `waitedMs` already spent waiting counts against maxWaitMs.
   */
  add(item: T, seq: number, waitedMs = 0): number | undefined {
    if (this.full) return undefined;
    const entry: Entry<T> = {
      item,
      seq,
      since: this.clock.now() - waitedMs,
      timer: this.clock.setTimeout(() => {
        this.remove(item);
        this.onExpired(item);
      }, Math.max(0, this.maxWaitMs - waitedMs)),
    };
    const at = this.#entries.findIndex((e) => e.seq > seq);
    if (at < 0) this.#entries.push(entry);
    else this.#entries.splice(at, 0, entry);
    return this.position(item);
  }

  /** Removes `item`; returns how long it waited, or undefined if it was not queued. */
  remove(item: T): number | undefined {
    const i = this.#entries.findIndex((e) => e.item === item);
    if (i < 0) return undefined;
    const [e] = this.#entries.splice(i, 1);
    e!.timer.cancel();
    return this.clock.now() - e!.since;
  }

  position(item: T): number | undefined {
    const i = this.#entries.findIndex((e) => e.item === item);
    return i < 0 ? undefined : i + 1;
  }

  /** Queued items, head first, with how long each has waited. */
  entries(): { item: T; waitedMs: number }[] {
    const now = this.clock.now();
    return this.#entries.map((e) => ({ item: e.item, waitedMs: now - e.since }));
  }

  clear(): T[] {
    const items = this.#entries.map((e) => e.item);
    for (const e of this.#entries) e.timer.cancel();
    this.#entries = [];
    return items;
  }
}
