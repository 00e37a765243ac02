import { UserAgent, type UserAgent as UA } from 'sip.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { PresenceLamp, PresenceState } from '../contract/control-events.js';
import { parseDialogInfo } from './dialog-info.js';
import { EventSubscription } from './event-subscription.js';
import { DialogLamp } from './lamp.js';

export interface WatchedExtension {
  ext: string;
  label: string;
}

export interface PresenceBoardOptions {
  ua: UA;
  /** The domain of the watched AORs (the line's AOR host). */
  domain: string;
  watch: readonly WatchedExtension[];
  expiresSec: number;
  clock: Clock;
  log: Logger;
  retryMinMs: number;
  retryMaxMs: number;
  /** A lamp changed. */
  onLamp(lamp: PresenceLamp): void;
}

interface Watch {
  entry: WatchedExtension;
  lamp: DialogLamp;
  state: PresenceState;
  /** The Call-ID of the subscription the lamp's documents came from. */
  dialogId: string | undefined;
  sub: EventSubscription;
}

/**
 * The busy-lamp field: one `dialog` subscription per watched extension through the line's
 * registrar, each folded into a lamp. A lamp is `offline` until its subscription delivers,
 * while it is down, and while our line is not registered.
 */
export class PresenceBoard {
  readonly #watches: Watch[] = [];
  #started = false;

  constructor(private readonly o: PresenceBoardOptions) {
    for (const entry of o.watch) {
      const target = UserAgent.makeURI(`sip:${entry.ext}@${o.domain}`);
      if (!target) throw new Error(`presence: sip:${entry.ext}@${o.domain} is not a SIP URI`);
      const log = o.log.child(entry.ext);
      const w: Watch = {
        entry,
        lamp: new DialogLamp(),
        state: 'offline',
        dialogId: undefined,
        sub: new EventSubscription({
          ua: o.ua,
          target,
          event: 'dialog',
          accept: 'application/dialog-info+xml',
          expiresSec: o.expiresSec,
          clock: o.clock,
          log,
          retryMinMs: o.retryMinMs,
          retryMaxMs: o.retryMaxMs,
          onNotify: (body, type, dialogId) => this.#notified(w, body, type, dialogId, log),
          onDown: () => this.#set(w, 'offline'),
        }),
      };
      this.#watches.push(w);
    }
  }

  lamps(): PresenceLamp[] {
    return this.#watches.map((w) => ({ ext: w.entry.ext, label: w.entry.label, state: w.state }));
  }

  /** Subscribes (the first time), or starts every subscription over (the line registered again: the PBX may have restarted). */
  subscribe(): void {
    for (const w of this.#watches) {
      if (this.#started) w.sub.restart();
      else w.sub.start();
    }
    this.#started = true;
  }

  /** Our line is down: nothing we show is known any more (the subscriptions retry by themselves). */
  lineDown(): void {
    for (const w of this.#watches) this.#set(w, 'offline');
  }

  async dispose(timeoutMs: number): Promise<void> {
    await Promise.all(this.#watches.map((w) => w.sub.dispose(timeoutMs)));
  }

  #notified(w: Watch, body: string, type: string, dialogId: string, log: Logger): void {
    if (dialogId !== w.dialogId) {
      w.dialogId = dialogId;
      w.lamp.reset(); // a new subscription numbers its versions anew
    }
    // No body: the PBX knows of no dialog of theirs (Kamailio before any PUBLISH): idle.
    if (body === '') {
      w.lamp.reset();
      this.#set(w, 'idle');
      return;
    }
    if (type !== 'application/dialog-info+xml') {
      log.warn(`dialog NOTIFY with ${type || 'no'} body type ignored`);
      return;
    }
    const parsed = parseDialogInfo(body);
    if (!parsed.ok) {
      log.warn(`dialog NOTIFY ignored: ${parsed.error}`);
      return;
    }
    // A NOTIFY about someone else (a PBX bug, or a reused dialog) must not light this lamp.
    const user = /^sips?:([^@;>]+)@/i.exec(parsed.doc.entity)?.[1];
    if (user !== w.entry.ext) {
      log.warn(`dialog NOTIFY for ${parsed.doc.entity.slice(0, 80)} ignored: we watch ${w.entry.ext}`);
      return;
    }
    if (!w.lamp.apply(parsed.doc)) return;
    this.#set(w, w.lamp.state);
  }

  #set(w: Watch, state: PresenceState): void {
    if (w.state === state) return;
    w.state = state;
    this.o.onLamp({ ext: w.entry.ext, label: w.entry.label, state });
  }
}
