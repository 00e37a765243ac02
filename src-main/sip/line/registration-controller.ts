import type { Clock, TimerHandle } from '../../common/clock.js';
import { Emitter } from '../../common/emitter.js';

import type { RegistrationState } from '../../contract/vocabulary.js';

export type { RegistrationState };

export type RegisterOutcome =
  | { ok: true; expiresSec: number }
  | {
      ok: false;
      /** auth: credentials refused; rejected: another final error; unreachable: no answer or transport failure. */
      kind: 'auth' | 'rejected' | 'unreachable';
      status?: number;
      retryAfterSec?: number;
      reason: string;
    };

/** The SIP side of a line, as the controller drives it (sip.js in production, a script in tests). */
export interface RegistrationAgent {
  /** Opens the transport toward registrar `index` (a no-op when it is already open). */
  connect(index: number): Promise<void>;
  /** Sends a REGISTER to registrar `index`; resolves with the final outcome. */
  register(index: number): Promise<RegisterOutcome>;
  /** Sends an OPTIONS heartbeat to registrar `index`; resolves true when any response came back in time. */
  probe(index: number): Promise<boolean>;
  /**
   * The target in use for registrar `index` failed (timeout, 503, refused, reset): true
   * when another DNS target of that registrar is left to try at once (RFC 3263 §4.3).
   * Without it, a registrar is one target.
   */
  failover?(index: number, reason: string, retryAfterMs?: number, status?: number): boolean;
}

export interface RegistrationTimers {
  /** First retry delay after a failure; doubles per consecutive failure. */
  retryMinMs: number;
  retryMaxMs: number;
  /** OPTIONS heartbeat period while registered or down; 0 disables it. */
  heartbeatMs: number;
  /** Consecutive unanswered heartbeats before the line is declared down. */
  heartbeatMisses: number;
}

export const defaultRegistrationTimers: RegistrationTimers = {
  retryMinMs: 1_000,
  retryMaxMs: 60_000,
  heartbeatMs: 30_000,
  heartbeatMisses: 2,
};

export interface RegistrationEvents extends Record<string, unknown[]> {
  state: [state: RegistrationState, detail: { registrar: number; reason?: string; status?: number }];
}

/**
 * The registration policy of one line, free of SIP details so it can be tested with a
 * fake clock: retry with exponential backoff (honouring Retry-After), move to the next
 * target when the current one is unreachable (the registrar's next DNS target, then the
 * next registrar in the list) at once, backing off only when a whole round failed,
 * re-register after a transport loss, and watch the registrar with an OPTIONS heartbeat.
 */
export class RegistrationController {
  readonly events = new Emitter<RegistrationEvents>();
  #state: RegistrationState = 'unregistered';
  #index = 0;
  /** The registrar a round of failures began at: coming back to it means every target failed. */
  #roundStart = 0;
  #failures = 0;
  #missed = 0;
  #retry: TimerHandle | undefined;
  #heartbeat: TimerHandle | undefined;
  #attempting = false;
  #again = false;
  #running = false;

  constructor(
    private readonly agent: RegistrationAgent,
    private readonly registrarCount: number,
    private readonly clock: Clock,
    private readonly timers: RegistrationTimers = defaultRegistrationTimers,
    /** Random source in [0,1) for backoff jitter; fixed in tests. */
    private readonly random: () => number = Math.random,
  ) {
    if (registrarCount < 1) throw new Error('a line needs at least one registrar');
  }

  get state(): RegistrationState {
    return this.#state;
  }

  /** Index of the registrar in use. */
  get registrar(): number {
    return this.#index;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#attempt();
  }

  /** Stops retrying and heartbeating; the caller un-registers. */
  stop(): void {
    this.#running = false;
    this.#retry?.cancel();
    this.#heartbeat?.cancel();
    this.#retry = this.#heartbeat = undefined;
    this.#set('unregistered', 'stopped');
  }

  /** The transport under this line closed: reconnect and register again. */
  transportLost(reason: string): void {
    if (!this.#running) return;
    if (this.#state === 'registered') this.#set('down', reason);
    this.#scheduleRetry(this.#state === 'down' ? this.timers.retryMinMs / 2 : this.#backoff());
  }

  /**
   * The target in use was found failing by someone else (another line): move on now
   * instead of waiting for this line's own timeout or heartbeat.
   */
  targetFailed(reason: string): void {
    if (!this.#running || this.#attempting) return;
    if (this.#state === 'registered') this.#set('down', reason);
    this.#scheduleRetry(0);
  }

  /** Registers again now (the Contact changed), unless an attempt is under way or the line is not registered. */
  refresh(): void {
    if (!this.#running || this.#attempting || this.#state !== 'registered') return;
    void this.#attempt();
  }

  /** The registration vanished without our doing (a refresh failed, the registrar dropped the binding). */
  registrationLost(reason: string, status?: number): void {
    if (!this.#running || this.#attempting) return;
    this.#failures++;
    this.#set('failed', reason, status);
    this.#scheduleRetry(this.#backoff());
  }

  async #attempt(): Promise<void> {
    if (!this.#running) return;
    if (this.#attempting) {
      this.#again = true;
      return;
    }
    this.#attempting = true;
    this.#retry?.cancel();
    this.#retry = undefined;
    let outcome: RegisterOutcome;
    try {
      await this.agent.connect(this.#index);
      outcome = await this.agent.register(this.#index);
    } catch (error) {
      outcome = { ok: false, kind: 'unreachable', reason: error instanceof Error ? error.message : String(error) };
    }
    this.#attempting = false;
    if (!this.#running) return;
    if (this.#again) {
      this.#again = false;
      void this.#attempt();
      return;
    }
    if (outcome.ok) {
      this.#failures = 0;
      this.#missed = 0;
      this.#roundStart = this.#index;
      this.#set('registered');
      this.#armHeartbeat();
      return;
    }
    const failedAt = this.#index;
    const retryAfterMs = outcome.retryAfterSec !== undefined ? outcome.retryAfterSec * 1000 : 0;
    this.#set('failed', outcome.reason, outcome.status, failedAt);
    // An unreachable target hands over to the next one at once; a refusal does not.
    const immediate = outcome.kind === 'unreachable' && this.#moveOn(outcome.reason, retryAfterMs, outcome.status);
    if (immediate) {
      this.#scheduleRetry(0);
      return;
    }
    this.#failures++;
    this.#roundStart = this.#index;
    this.#scheduleRetry(Math.max(this.#backoff(), retryAfterMs));
  }

  /**
   * Moves to the next target: the registrar's next DNS target, else the next registrar.
   * True when that target is still in this round (try it now); false when the round is over.
   */
  #moveOn(reason: string, retryAfterMs?: number, status?: number): boolean {
    if (this.agent.failover?.(this.#index, reason, retryAfterMs, status)) return true;
    if (this.registrarCount <= 1) return false;
    this.#index = (this.#index + 1) % this.registrarCount;
    return this.#index !== this.#roundStart;
  }

  #armHeartbeat(): void {
    this.#heartbeat?.cancel();
    this.#heartbeat = undefined;
    if (this.timers.heartbeatMs <= 0 || !this.#running) return;
    this.#heartbeat = this.clock.setTimeout(() => void this.#beat(), this.timers.heartbeatMs);
  }

  async #beat(): Promise<void> {
    this.#heartbeat = undefined;
    if (!this.#running || this.#state !== 'registered') return;
    // A probe that throws (no route, transport gone) counts as unanswered.
    const answered = await this.agent.probe(this.#index).catch(() => false);
    if (!this.#running || this.#state !== 'registered') return;
    if (answered) {
      this.#missed = 0;
      this.#armHeartbeat();
      return;
    }
    this.#missed++;
    if (this.#missed < this.timers.heartbeatMisses) {
      this.#armHeartbeat();
      return;
    }
    // The registrar stopped answering: we may be unreachable for calls. Recover by
    // registering again (which fails over to the next registrar if this one stays silent).
    const reason = `${this.#missed} heartbeats unanswered`;
    this.#set('down', reason);
    this.#missed = 0;
    this.#roundStart = this.#index;
    this.#moveOn(reason);
    void this.#attempt();
  }

  #scheduleRetry(ms: number): void {
    if (!this.#running) return;
    this.#heartbeat?.cancel();
    this.#heartbeat = undefined;
    this.#retry?.cancel();
    this.#retry = this.clock.setTimeout(() => {
      this.#retry = undefined;
      void this.#attempt();
    }, ms);
  }

  /** Exponential backoff with ±20 % jitter, so many desktops do not retry in lockstep. */
  #backoff(): number {
    const { retryMinMs, retryMaxMs } = this.timers;
    const base = Math.min(retryMaxMs, retryMinMs * 2 ** Math.max(0, this.#failures - 1));
    return Math.round(base * (0.8 + 0.4 * this.random()));
  }

  /** Reports a state; `registrar` is the one it concerns (by default the one in use). */
  #set(state: RegistrationState, reason?: string, status?: number, registrar = this.#index): void {
    if (state === this.#state && state !== 'failed') return;
    this.#state = state;
    const detail: { registrar: number; reason?: string; status?: number } = { registrar };
    if (reason !== undefined) detail.reason = reason;
    if (status !== undefined) detail.status = status;
    this.events.emit('state', state, detail);
  }
}
