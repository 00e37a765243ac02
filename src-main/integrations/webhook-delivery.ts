import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { ControlEvent, Stamped, WebhookState } from '../contract/control-events.js';
import { retryDelayMs } from './retry-backoff.js';
import type { QueuedDelivery, WebhookOutbox } from './webhook-outbox.js';
import { postWebhook, type PostOutcome, type WebhookRequest } from './webhook-post.js';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

/** What one webhook needs (the config's entry, its secret read). */
export interface WebhookTarget {
  url: string;
  secret: string;
  timeoutMs: number;
  maxPending: number;
  retryMinMs: number;
  retryMaxMs: number;
}

/** A change worth telling the desk about (the module emits it as `webhook.state`). */
export interface WebhookStateReport {
  state: WebhookState;
  pending: number;
  dropped: number;
  rejected: number;
  error?: string;
}

export interface WebhookDeliveryDeps {
  target: WebhookTarget;
  outbox: WebhookOutbox;
  clock: Clock;
  log: Logger;
  /** Sent as X-LineDesk-Agent, so one receiver can serve many desks. */
  agent: string;
  report(r: WebhookStateReport): void;
  /** The POST (tests may wrap it); Node's fetch by default. */
  post?: (req: WebhookRequest) => Promise<PostOutcome>;
  random?: () => number;
}

/** Drops are logged at most this often, with how many since the last line. */
const DROP_LOG_EVERY_MS = 10_000;

/**
 * One webhook's deliveries: events are queued in the store (`enqueue` does only that, and
 * returns), and one loop POSTs them oldest first, one at a time, so the receiver gets them
 * in order. A failure keeps the event at the head and retries it after an exponential,
 * jittered wait; the delivery id stays the same, so a receiver that took a POST whose answer
 * was lost sees the id again and drops it (at least once, never lost while the queue holds).
 */
export class WebhookDelivery {
  readonly #d: WebhookDeliveryDeps;
  readonly #abort = new AbortController();
  /** The loop is scheduled or running (cleared synchronously when it finds the queue empty). */
  #active = false;
  /** Settles when the current loop ends. */
  #idle: Promise<void> = Promise.resolve();
  #retry: TimerHandle | undefined;
  #failures = 0;
  #state: WebhookState = 'ok';
  #error: string | undefined;
  #dropped = 0;
  #droppedUnlogged = 0;
  #lastDropLog = -Infinity;
  #rejected = 0;
  /** Stopping: deliver what goes through, but retry nothing. */
  #stopping = false;
  #closed = false;

  constructor(deps: WebhookDeliveryDeps) {
    this.#d = deps;
  }

  get url(): string {
    return this.#d.target.url;
  }

  get pending(): number {
    return this.#d.outbox.pending(this.url);
  }

  /** Queues the event (as the runner prints it) and wakes the loop later: never waits for the network. */
  enqueue(e: Stamped<ControlEvent>): void {
    if (this.#closed) return;
    let dropped: number;
    try {
      dropped = this.#d.outbox.add(this.url, { delivery: randomUUID(), event: e.event, body: JSON.stringify(e), at: this.#d.clock.wallNow() }, this.#d.target.maxPending);
    } catch (error) {
      this.#noteDropped(1, `could not queue the event: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (dropped > 0) this.#noteDropped(dropped, `more than ${this.#d.target.maxPending} events waiting`);
    this.kick();
  }

  /** Starts the loop if it is idle and not waiting to retry (at start: the backlog of the last run). */
  kick(): void {
    if (this.#active || this.#retry || this.#closed || this.#stopping) return;
    this.#active = true;
    let settle!: () => void;
    this.#idle = new Promise<void>((resolve) => (settle = resolve));
    // On a later turn: the caller (a bus handler) returns before anything is sent.
    this.#d.clock.setTimeout(() => void this.#drain().finally(settle), 0);
  }

  /**
   * Stops: what the receiver takes within `graceMs` is delivered, then the POST in flight is
   * abandoned (it may have arrived: sent again at the next start, same delivery id). What is
   * left stays in the store.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#retry?.cancel();
    this.#retry = undefined;
    if (this.#active) {
      const idle = this.#idle;
      let timer: TimerHandle | undefined;
      await Promise.race([idle, new Promise<void>((resolve) => (timer = this.#d.clock.setTimeout(resolve, graceMs)))]);
      timer?.cancel();
      this.#abort.abort();
      await idle;
    }
    this.#closed = true;
  }

  async #drain(): Promise<void> {
    try {
      for (let next = this.#head(); next && !this.#closed; next = this.#head()) {
        const outcome = await this.#send(next);
        if (outcome.kind === 'failed') {
          this.#failures += 1;
          this.#setState('failing', outcome.error);
          if (this.#stopping) return;
          const wait = retryDelayMs(this.#failures, { minMs: this.#d.target.retryMinMs, maxMs: this.#d.target.retryMaxMs }, this.#d.random);
          this.#d.log.debug('webhook delivery failed; retrying', { url: this.url, error: outcome.error, failures: this.#failures, waitMs: wait, pending: this.pending });
          this.#retry = this.#d.clock.setTimeout(() => {
            this.#retry = undefined;
            this.kick();
          }, wait);
          return;
        }
        this.#d.outbox.done(this.url, next.seq);
        this.#failures = 0;
        if (outcome.kind === 'refused') {
          this.#rejected += 1;
          this.#d.log.warn('a webhook receiver refused an event for good (HTTP 400/413/415/422); it is not sent again', { url: this.url, status: outcome.status, event: next.event, delivery: next.delivery });
          if (this.#state === 'ok') this.#report();
        }
        this.#setState('ok', undefined);
      }
    } finally {
      // Runs in the same turn as the loop's last look at the queue (no await between them):
      // an event queued after it finds the loop inactive and starts a new one.
      this.#active = false;
    }
  }

  #head(): QueuedDelivery | undefined {
    try {
      return this.#d.outbox.head(this.url);
    } catch (error) {
      this.#d.log.error('cannot read the webhook queue', { url: this.url, error: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  }

  #send(q: QueuedDelivery): Promise<PostOutcome> {
    const t = this.#d.target;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'LineDesk',
      'x-linedesk-event': q.event,
      'x-linedesk-delivery': q.delivery,
      'idempotency-key': q.delivery,
      'x-linedesk-sequence': String(q.seq),
      'x-linedesk-agent': this.#d.agent,
      [SIGNATURE_HEADER.toLowerCase()]: signWebhook(t.secret, q.body, Math.floor(this.#d.clock.wallNow() / 1000)),
    };
    const post = this.#d.post ?? postWebhook;
    return post({ url: t.url, headers, body: q.body, timeoutMs: t.timeoutMs, signal: this.#abort.signal }).catch((error: unknown) => ({ kind: 'failed' as const, error: error instanceof Error ? error.message : String(error) }));
  }

  #setState(state: WebhookState, error: string | undefined): void {
    if (state === this.#state && error === this.#error) return;
    if (state === 'failing' && this.#state === 'ok') this.#d.log.warn('webhook receiver unreachable; events are kept and retried', { url: this.url, error, pending: this.pending });
    if (state === 'ok' && this.#state === 'failing') this.#d.log.info('webhook receiver back; delivering what waited', { url: this.url, pending: this.pending });
    this.#state = state;
    this.#error = error;
    this.#report();
  }

  #noteDropped(n: number, why: string): void {
    this.#dropped += n;
    this.#droppedUnlogged += n;
    const now = this.#d.clock.now();
    if (now - this.#lastDropLog < DROP_LOG_EVERY_MS) return;
    this.#d.log.warn('dropped the oldest webhook events', { url: this.url, dropped: this.#droppedUnlogged, droppedTotal: this.#dropped, why });
    this.#lastDropLog = now;
    this.#droppedUnlogged = 0;
    this.#report();
  }

  #report(): void {
    this.#d.report({ state: this.#state, pending: this.pending, dropped: this.#dropped, rejected: this.#rejected, ...(this.#error !== undefined ? { error: this.#error } : {}) });
  }
}
