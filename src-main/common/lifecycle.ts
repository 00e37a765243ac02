/**
 * Lifetimes made explicit (VS Code's Disposable, in small): whatever a call, a module or
 * a window starts (a timer, a listener, an open socket) is added to a store, and disposing
 * the store ends all of it, last added first, exactly once.
 */
export interface Disposable {
  dispose(): void;
}

export type Cleanup = Disposable | (() => void);

export class DisposableStore implements Disposable {
  #items: Cleanup[] = [];
  #disposed = false;

  /**
   * Adds something to end with the store. Added after the store was disposed, it is ended
   * at once: a late timer or listener must not outlive what it belonged to.
   */
  add<T extends Cleanup>(item: T): T {
    if (this.#disposed) runCleanup(item, (error) => reportCleanupError(error));
    else this.#items.push(item);
    return item;
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** Ends everything added, last first; one that throws does not stop the others. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const items = this.#items.reverse();
    this.#items = [];
    for (const item of items) runCleanup(item, reportCleanupError);
  }
}

function runCleanup(item: Cleanup, onError: (error: unknown) => void): void {
  try {
    if (typeof item === 'function') item();
    else item.dispose();
  } catch (error) {
    onError(error);
  }
}

function reportCleanupError(error: unknown): void {
  process.stderr.write(`linedesk: a cleanup threw: ${error instanceof Error ? error.stack : String(error)}\n`);
}
