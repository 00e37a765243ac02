/**
 * A small typed event emitter. Listener errors are caught and reported, never thrown
 * back into the emitter (a faulty listener must not break the SIP stack or a call).
 */
export type EventMap = Record<string, unknown[]>;
export type Listener<A extends unknown[]> = (...args: A) => void;

export class Emitter<E extends EventMap> {
  #listeners = new Map<keyof E, Set<(...args: unknown[]) => void>>();

  constructor(private readonly onListenerError: (event: string, error: unknown) => void = defaultListenerError) {}

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as unknown as (...args: unknown[]) => void);
    return () => this.off(event, listener);
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const off = this.on(event, ((...args: E[K]) => {
      off();
      listener(...args);
    }));
    return off;
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    this.#listeners.get(event)?.delete(listener as unknown as (...args: unknown[]) => void);
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        l(...args);
      } catch (error) {
        this.onListenerError(String(event), error);
      }
    }
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }
}

function defaultListenerError(event: string, error: unknown): void {
  process.stderr.write(`linedesk: a listener of "${event}" threw: ${error instanceof Error ? error.stack : String(error)}\n`);
}
