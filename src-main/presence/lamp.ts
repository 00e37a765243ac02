import type { DialogInfoDialog, DialogInfoDocument } from './dialog-info.js';

export type LampState = 'idle' | 'ringing' | 'busy' | 'offline';

/**
 * One colleague's lamp, folded from the dialog-info documents of one subscription: a
 * `full` document replaces what we knew, a `partial` one updates the dialogs it names, and
 * an older or repeated version is ignored (RFC 4235 §4.1). Ringing: a call to them that is
 * not answered yet; busy: any answered call, or a call they are placing.
 */
export class DialogLamp {
  readonly #dialogs = new Map<string, DialogInfoDialog>();
  #version: number | undefined;

  /** A new subscription starts a new version sequence. */
  reset(): void {
    this.#dialogs.clear();
    this.#version = undefined;
  }

  /** False when the document is stale (its version is not newer) and was ignored. */
  apply(doc: DialogInfoDocument): boolean {
    if (this.#version !== undefined && doc.version <= this.#version) return false;
    this.#version = doc.version;
    if (doc.state === 'full') this.#dialogs.clear();
    for (const d of doc.dialogs) {
      if (d.state === 'terminated') this.#dialogs.delete(d.id);
      else this.#dialogs.set(d.id, d);
    }
    return true;
  }

  get state(): Exclude<LampState, 'offline'> {
    let ringing = false;
    for (const d of this.#dialogs.values()) {
      if (d.state === 'confirmed' || d.direction === 'initiator') return 'busy';
      ringing = true;
    }
    return ringing ? 'ringing' : 'idle';
  }
}
