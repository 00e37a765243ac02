/** Anything holding a resource (socket, timer, listener) that must be released exactly once. */
export interface Disposable {
  dispose(): void;
}

export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}

/** Collects disposables and releases them all, in reverse order, on dispose(). */
export class DisposableStore implements Disposable {
  #items: Disposable[] = [];
  #disposed = false;

  get isDisposed(): boolean {
    return this.#disposed;
  }

  add<T extends Disposable>(item: T): T {
    if (this.#disposed) {
      item.dispose();
    } else {
      this.#items.push(item);
    }
    return item;
  }

  /** Registers a cleanup function. */
  defer(fn: () => void): void {
    this.add(toDisposable(fn));
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const items = this.#items.reverse();
    this.#items = [];
    for (const item of items) {
      try {
        item.dispose();
      } catch (error) {
        process.stderr.write(`linedesk: dispose failed: ${String(error)}\n`);
      }
    }
  }
}
