import { Emitter } from './emitter.js';

/**
 * LineDesk's one event bus. Two kinds of subscribers:
 *  - modules (stats, agent, devices…) see each event first: when an event reaches a front
 *    end, every module has handled it (a `call.ended` on stdout is already on disk);
 *  - front ends (the headless runner, the windows) see it after.
 *
 * Delivery is in causal order: an event emitted while another is being delivered waits
 * until that one has reached every subscriber. So a module never sees an effect before
 * its cause (`agent.state` wrap-up after the `call.ended` that caused it), whatever order
 * the modules were installed in.
 */
export class EventBus<E> {
  /** Front ends subscribe here, with `on('event', …)`. */
  readonly published = new Emitter<{ event: [e: E] }>();
  readonly #modules = new Emitter<{ event: [e: E] }>();
  #queue: E[] = [];
  #delivering = false;

  /** A module's subscription: sees every event before the front ends. */
  subscribe(listener: (e: E) => void): () => void {
    return this.#modules.on('event', listener);
  }

  emit(e: E): void {
    this.#queue.push(e);
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        this.#modules.emit('event', next);
        this.published.emit('event', next);
      }
    } finally {
      this.#delivering = false;
    }
  }
}
