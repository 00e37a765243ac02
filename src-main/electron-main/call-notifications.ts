import type { NotificationConstructorOptions } from 'electron';
import type { Command } from '../contract/commands.js';
import type { ControlEvent, Stamped } from '../contract/control-events.js';
import { shellText } from './shell-strings.js';

/** The part of Electron's Notification used here (tests hand in a fake). */
export interface CallNotification {
  on(event: 'action', listener: (details: unknown, actionIndex: number) => void): unknown;
  on(event: 'click' | 'close', listener: () => void): unknown;
  show(): void;
  close(): void;
}

export interface CallNotificationsDeps {
  execute(cmd: Command): void;
  /** A call rings on this line: show its window. */
  bringToFront(line: string): void;
  /** The agent clicked the notification: show the line's window and focus it. */
  focusLine(line: string): void;
  locale(): string;
  /** A new OS notification; undefined where the platform shows none. */
  notify(options: NotificationConstructorOptions): CallNotification | undefined;
}

/**
 * An OS notification for every call offered to a line, with Accept and Decline where the
 * platform shows notification buttons (macOS; elsewhere a click brings the line forward).
 * It goes away as soon as the offer ends, however it ends. A call rung on several lines at
 * once (ringall) has one notification per line, keyed `call@line` like the ringer's.
 */
export class CallNotifications {
  readonly #open = new Map<string, CallNotification>();

  constructor(private readonly deps: CallNotificationsDeps) {}

  onEvent(e: Stamped<ControlEvent>): void {
    if (e.event === 'call.offered') this.#show(e);
    // This line's offer is over (declined, timed out, moved on) or answered here.
    else if (e.event === 'call.offer.ended' || e.event === 'call.answered') this.#close(keyOf(e.call, e.line));
    // The call is over, or taken somewhere: every line's offer of it goes.
    else if (e.event === 'call.ended' || e.event === 'call.answered_elsewhere') for (const key of [...this.#open.keys()]) if (key.startsWith(`${e.call}@`)) this.#close(key);
  }

  #show(e: Extract<ControlEvent, { event: 'call.offered' }>): void {
    this.deps.bringToFront(e.line);
    const key = keyOf(e.call, e.line);
    this.#close(key);
    const locale = this.deps.locale();
    const n = this.deps.notify({
      title: shellText(locale, 'incoming', { line: e.line }),
      body: shellText(locale, 'from', { caller: e.fromName ? `${e.fromName} (${e.from})` : e.from, dialled: e.to }),
      urgency: 'critical',
      timeoutType: 'never',
      actions: [
        { type: 'button', text: shellText(locale, 'accept') },
        { type: 'button', text: shellText(locale, 'decline') },
      ],
    });
    if (!n) return;
    n.on('action', (_details, index) => this.deps.execute(index === 0 ? { cmd: 'accept', line: e.line } : { cmd: 'decline', line: e.line, reason: 'notification' }));
    n.on('click', () => this.deps.focusLine(e.line));
    // A notification closed late (the OS reports it after a newer one took its key) must not drop the newer one.
    n.on('close', () => {
      if (this.#open.get(key) === n) this.#open.delete(key);
    });
    this.#open.set(key, n);
    n.show();
  }

  #close(key: string): void {
    const n = this.#open.get(key);
    this.#open.delete(key);
    n?.close();
  }
}

const keyOf = (call: string, line: string): string => `${call}@${line}`;
