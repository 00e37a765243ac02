import { UserAgent, type Notification, type UserAgent as UA } from 'sip.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { MwiStatus } from '../contract/control-events.js';
import { EventSubscription } from './event-subscription.js';
import { parseMessageSummary } from './message-summary.js';
import { headerToken } from '../common/header-token.js';

export interface MessageWaitingOptions {
  line: string;
  ua: UA;
  /** The line's AOR: what the subscription is for. */
  aor: string;
  /** Subscribe (lines[].mwi); without it only the PBX's unsolicited NOTIFYs are taken. */
  subscribe: boolean;
  expiresSec: number;
  clock: Clock;
  log: Logger;
  retryMinMs: number;
  retryMaxMs: number;
  onChange(status: MwiStatus): void;
}

const bodyType = 'application/simple-message-summary';

/**
 * One line's voicemail light (RFC 3842): from its message-summary subscription, or from the
 * NOTIFYs a PBX sends unasked (Asterisk's unsolicited MWI). The mux lets requests through
 * only from the PBX and trusted sources, so an unsolicited NOTIFY is the PBX's.
 */
export class MessageWaiting {
  readonly #sub: EventSubscription | undefined;
  #status: MwiStatus;

  constructor(private readonly o: MessageWaitingOptions) {
    this.#status = { line: o.line, waiting: false, new: 0, old: 0 };
    const target = UserAgent.makeURI(o.aor);
    if (o.subscribe && target) {
      this.#sub = new EventSubscription({
        ua: o.ua,
        target,
        event: 'message-summary',
        accept: bodyType,
        expiresSec: o.expiresSec,
        clock: o.clock,
        log: o.log,
        retryMinMs: o.retryMinMs,
        retryMaxMs: o.retryMaxMs,
        onNotify: (body, type) => this.#summary(body, type),
        onDown: () => {},
      });
    }
    // Out-of-dialog NOTIFYs reach the user agent's delegate; sip.js answers 481 without one.
    const delegate = o.ua.delegate ?? {};
    o.ua.delegate = { ...delegate, onNotify: (n) => this.#unsolicited(n) };
  }

  get status(): MwiStatus {
    return this.#status;
  }

  subscribe(): void {
    this.#sub?.restart();
  }

  async dispose(timeoutMs: number): Promise<void> {
    await this.#sub?.dispose(timeoutMs);
  }

  #unsolicited(n: Notification): void {
    const msg = n.request;
    if (headerToken(msg.getHeader('event')) !== 'message-summary') {
      void n.reject({ statusCode: 489 }).catch(() => {});
      return;
    }
    void n.accept().catch(() => {});
    this.#summary(msg.body ?? '', headerToken(msg.getHeader('content-type')));
  }

  #summary(body: string, type: string): void {
    if (body === '') return; // a subscription's first NOTIFY may carry nothing yet
    if (type !== bodyType) {
      this.o.log.warn(`message-summary NOTIFY with ${type || 'no'} body type ignored`);
      return;
    }
    const parsed = parseMessageSummary(body);
    if (!parsed.ok) {
      this.o.log.warn(`message-summary NOTIFY ignored: ${parsed.error}`);
      return;
    }
    const s = parsed.summary;
    const now: MwiStatus = { line: this.o.line, waiting: s.waiting, new: s.new, old: s.old };
    const was = this.#status;
    this.#status = now;
    if (was.waiting !== now.waiting || was.new !== now.new || was.old !== now.old) this.o.onChange(now);
  }
}
