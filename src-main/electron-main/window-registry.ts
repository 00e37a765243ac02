import type { WindowIdentity } from '../desk/window-requests.js';

export type { WindowIdentity } from '../desk/window-requests.js';

/**
 * The windows the shell created, by webContents id. IPC answers only senders found here:
 * anything else (a devtools page, a frame that somehow appeared) is refused.
 */
export class WindowRegistry {
  readonly #byContents = new Map<number, WindowIdentity & { greeted: boolean }>();

  add(contentsId: number, identity: WindowIdentity): void {
    this.#byContents.set(contentsId, { ...identity, greeted: false });
  }

  remove(contentsId: number): void {
    this.#byContents.delete(contentsId);
  }

  identify(contentsId: number): WindowIdentity | undefined {
    const w = this.#byContents.get(contentsId);
    return w ? { kind: w.kind, ...(w.line !== undefined ? { line: w.line } : {}) } : undefined;
  }

  /** Marks that the window said hello: from now on it gets events (its snapshot covers the past). */
  greeted(contentsId: number): void {
    const w = this.#byContents.get(contentsId);
    if (w) w.greeted = true;
  }

  /** Windows that receive events. */
  listeners(): number[] {
    return [...this.#byContents].filter(([, w]) => w.greeted).map(([id]) => id);
  }
}
