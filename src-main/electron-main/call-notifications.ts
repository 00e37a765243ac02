import { Notification } from 'electron';
import type { Command } from '../contract/commands.js';
import type { ControlEvent, Stamped } from '../contract/control-events.js';
import { shellText } from './shell-strings.js';

export interface CallNotificationsDeps {
  execute(cmd: Command): void;
  bringToFront(line: string): void;
  locale(): string;
}

/**
 * An OS notification for every call offered to a line, with Accept and Decline where the
 * platform shows notification buttons (macOS; elsewhere a click brings the line forward).
 * It goes away as soon as the offer ends, however it ends.
 */
export class CallNotifications {
  readonly #open = new Map<string, Notification>();

  constructor(private readonly deps: CallNotificationsDeps) {}

  onEvent(e: Stamped<ControlEvent>): void {
    if (e.event === 'call.offered') this.#show(e);
    else if (e.event === 'call.offer.ended' || e.event === 'call.ended' || e.event === 'call.answered' || e.event === 'call.answered_elsewhere') this.#close(e.call);
  }

  #show(e: Extract<ControlEvent, { event: 'call.offered' }>): void {
    this.deps.bringToFront(e.line);
    if (!Notification.isSupported()) return;
    this.#close(e.call);
    const locale = this.deps.locale();
    const n = new Notification({
      title: shellText(locale, 'incoming', { line: e.line }),
      body: shellText(locale, 'from', { caller: e.fromName ? `${e.fromName} (${e.from})` : e.from, dialled: e.to }),
      urgency: 'critical',
      timeoutType: 'never',
      actions: [
        { type: 'button', text: shellText(locale, 'accept') },
        { type: 'button', text: shellText(locale, 'decline') },
      ],
    });
    n.on('action', (_event, index) => this.deps.execute(index === 0 ? { cmd: 'accept', line: e.line } : { cmd: 'decline', line: e.line, reason: 'notification' }));
    n.on('click', () => this.deps.bringToFront(e.line));
    n.on('close', () => this.#open.delete(e.call));
    this.#open.set(e.call, n);
    n.show();
  }

  #close(call: string): void {
    this.#open.get(call)?.close();
    this.#open.delete(call);
  }
}
