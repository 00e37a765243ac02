import { Subscriber, SubscriptionState, type Notification, type URI, type UserAgent } from 'sip.js';
import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { headerToken } from '../common/header-token.js';

export interface EventSubscriptionOptions {
  ua: UserAgent;
  target: URI;
  /** The event package: "dialog", "message-summary". */
  event: string;
  /** The body type we take (Accept). */
  accept: string;
  expiresSec: number;
  clock: Clock;
  log: Logger;
  /** Backoff between attempts after a subscription failed or ended. */
  retryMinMs: number;
  retryMaxMs: number;
  /** A NOTIFY of this subscription, with or without a body (`dialogId`: the Call-ID, new for each new subscription). */
  onNotify(body: string, contentType: string, dialogId: string): void;
  /** The subscription ended or could not be made: what we showed from it is stale. */
  onDown(reason: string): void;
}

/**
 * One RFC 6665 subscription, kept alive: sip.js's Subscriber makes it and refreshes it
 * before it expires; when it ends anyway (a refused refresh after a PBX restart, Timer N,
 * a NOTIFY saying terminated, a refused SUBSCRIBE), a fresh SUBSCRIBE follows after a
 * growing pause. `restart()` starts over at once (the line registered again).
 */
export class EventSubscription {
  #subscriber: Subscriber | undefined;
  #retry: TimerHandle | undefined;
  #delayMs: number;
  #disposed = false;

  constructor(private readonly o: EventSubscriptionOptions) {
    this.#delayMs = o.retryMinMs;
  }

  get active(): boolean {
    return this.#subscriber?.state === SubscriptionState.Subscribed;
  }

  start(): void {
    if (this.#disposed || this.#subscriber) return;
    const o = this.o;
    const subscriber = new Subscriber(o.ua, o.target, o.event, {
      expires: o.expiresSec,
      extraHeaders: [`Accept: ${o.accept}`],
    });
    this.#subscriber = subscriber;
    subscriber.delegate = {
      onNotify: (n: Notification) => {
        void n.accept().catch(() => {});
        const msg = n.request;
        const body = msg.body ?? '';
        // The last NOTIFY of a subscription says what ended it, and one while it is pending
        // (not authorised yet) carries no state (RFC 6665 §4.1.3): neither is news.
        if (/^\s*(terminated|pending)/i.test(msg.getHeader('subscription-state') ?? '')) return;
        this.#delayMs = o.retryMinMs; // it works: the next failure starts the backoff over
        o.onNotify(body, headerToken(msg.getHeader('content-type')), msg.callId);
      },
    };
    subscriber.stateChange.addListener((state) => {
      if (state !== SubscriptionState.Terminated || this.#subscriber !== subscriber) return;
      this.#subscriber = undefined;
      if (this.#disposed) return;
      o.onDown('subscription ended');
      this.#schedule();
    });
    subscriber.subscribe().catch((error: unknown) => {
      o.log.warn(`SUBSCRIBE ${o.event} ${o.target.toString()} failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** Drops the current subscription (without waiting for the PBX) and subscribes again now. */
  restart(): void {
    if (this.#disposed) return;
    this.#retry?.cancel();
    this.#retry = undefined;
    this.#delayMs = this.o.retryMinMs;
    const old = this.#subscriber;
    this.#subscriber = undefined;
    if (old) void old.dispose().catch(() => {});
    this.start();
  }

  /** Unsubscribes, waiting at most `timeoutMs` for the PBX (sip.js alone may wait forever). */
  async dispose(timeoutMs: number): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#retry?.cancel();
    const s = this.#subscriber;
    this.#subscriber = undefined;
    if (!s) return;
    let timer: TimerHandle | undefined;
    await Promise.race([s.dispose().catch(() => {}), new Promise<void>((resolve) => (timer = this.o.clock.setTimeout(resolve, timeoutMs)))]);
    timer?.cancel();
  }

  #schedule(): void {
    const wait = this.#delayMs;
    this.#delayMs = Math.min(this.o.retryMaxMs, this.#delayMs * 2);
    this.o.log.info(`${this.o.event} subscription to ${this.o.target.toString()} ended: subscribing again in ${wait} ms`);
    this.#retry = this.o.clock.setTimeout(() => {
      this.#retry = undefined;
      this.start();
    }, wait);
  }
}
