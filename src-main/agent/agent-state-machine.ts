import type { Clock, TimerHandle } from '../common/clock.js';
import { Emitter } from '../common/emitter.js';
import type { AgentStateName } from '../contract/control-events.js';

/** The agent's state as `agent.state` reports it. Times are wall-clock ms. */
export interface AgentSnapshot {
  state: AgentStateName;
  /** The pause reason (paused only). */
  reason?: string;
  since: number;
  /** When wrap-up ends unless extended or ended early (wrapup only). */
  wrapupEndsAt?: number;
}

/** A state the agent can ask for (`agent.state` command). */
export type AgentRequest = { state: 'available' } | { state: 'paused'; reason: string } | { state: 'offline' };

/** A request the configuration does not allow (unknown pause reason…): the command's error. */
export class AgentStateError extends Error {
  override readonly name = 'AgentStateError';
}

/**
 * Where the agent may go from each state. `transition()` checks every move against it and
 * throws on any other (SIP.js style):
 *
 *   from \ to   available  paused  wrapup  dnd  offline
 *   available       ·        ✓       ✓      ✓      ✓
 *   paused          ✓        ✓¹      ✓      ✓²     ✓
 *   wrapup          ✓        ✓       ✓³     ✓²     ✓
 *   dnd             ✓        ✓       ✓      ·      ✓
 *   offline         ✓        ✓       ·      ✓²     ·
 *
 *   ¹ to another pause reason   ² "available" while every line is in DND lands in dnd
 *   ³ another answered call ended during wrap-up: it restarts for that call
 *
 *   available ──agent.state paused──▶ paused ──agent.state available──▶ available
 *       │  ╲──every line DND──▶ dnd ──a line leaves DND──▶ available
 *       └──answered call ends──▶ wrapup ──timer / wrapup.end──▶ the state asked for meanwhile (default available)
 *   any ──agent.state offline──▶ offline ──agent.state available|paused──▶ …
 *
 * During wrap-up an `agent.state` request is remembered, not applied: wrap-up then ends
 * in that state. An answered call ending while paused or in DND starts wrap-up too (it then
 * goes back to the pause, or to DND); while offline it does not.
 */
const allowedMoves: Readonly<Record<AgentStateName, readonly AgentStateName[]>> = {
  available: ['paused', 'wrapup', 'dnd', 'offline'],
  paused: ['available', 'paused', 'wrapup', 'dnd', 'offline'],
  wrapup: ['available', 'paused', 'wrapup', 'dnd', 'offline'],
  dnd: ['available', 'paused', 'wrapup', 'offline'],
  offline: ['available', 'paused', 'dnd'],
};

export interface AgentStateMachineOptions {
  clock: Clock;
  /** Wrap-up after each answered call (0: none). */
  wrapupMs: number;
  pauseReasons: readonly string[];
  initial: 'available' | 'offline';
}

export class AgentStateMachine {
  /** `change` fires after every transition and every change of the wrap-up end. */
  readonly events = new Emitter<{ change: [now: AgentSnapshot, before: AgentSnapshot] }>();
  #snapshot: AgentSnapshot;
  /** Where wrap-up goes when it ends. */
  #after: AgentRequest = { state: 'available' };
  #allLinesDnd = false;
  #timer: TimerHandle | undefined;
  /** Monotonic time wrap-up ends at. */
  #wrapupDeadline = 0;

  constructor(private readonly opts: AgentStateMachineOptions) {
    this.#snapshot = { state: opts.initial, since: opts.clock.wallNow() };
  }

  get snapshot(): AgentSnapshot {
    return { ...this.#snapshot };
  }

  get state(): AgentStateName {
    return this.#snapshot.state;
  }

  /** During wrap-up: the state it will end in. */
  get pending(): AgentRequest | undefined {
    return this.#snapshot.state === 'wrapup' ? { ...this.#after } : undefined;
  }

  /**
   * The agent asks for a state (the `agent.state` command: a state, and a reason for a
   * pause). The one place a request is checked. Returns what happened: `changed`,
   * `unchanged` (already there), or `deferred` (during wrap-up: applied when it ends).
   * Throws AgentStateError for a request the configuration does not allow.
   */
  request(asked: { state: AgentRequest['state']; reason?: string | undefined }): 'changed' | 'unchanged' | 'deferred' {
    const req = this.#checked(asked.state, asked.reason);
    if (this.#snapshot.state === 'wrapup') {
      this.#after = req;
      return 'deferred';
    }
    const target = this.#resolve(req);
    if (target.state === this.#snapshot.state && target.reason === this.#snapshot.reason) return 'unchanged';
    this.transition(target.state, target.reason);
    return 'changed';
  }

  /** An answered call (inbound or outbound) has ended: wrap-up starts, or restarts. */
  answeredCallEnded(): void {
    const { state, reason } = this.#snapshot;
    if (this.opts.wrapupMs <= 0 || state === 'offline') return;
    if (state !== 'wrapup') this.#after = state === 'paused' && reason !== undefined ? { state: 'paused', reason } : { state: 'available' };
    this.transition('wrapup');
  }

  /** Whether every line is in DND now. */
  setAllLinesDnd(on: boolean): void {
    this.#allLinesDnd = on;
    if (on && this.#snapshot.state === 'available') this.transition('dnd');
    else if (!on && this.#snapshot.state === 'dnd') this.transition('available');
  }

  /** Moves the end of the current wrap-up `seconds` later. */
  extendWrapup(seconds: number): void {
    if (this.#snapshot.state !== 'wrapup') throw new AgentStateError(`not in wrap-up (the agent is ${this.#snapshot.state})`);
    this.#wrapupDeadline += seconds * 1_000;
    this.#armWrapupTimer();
    const before = this.snapshot;
    this.#snapshot = { ...this.#snapshot, wrapupEndsAt: this.#wallTimeOf(this.#wrapupDeadline) };
    this.events.emit('change', this.snapshot, before);
  }

  /** Ends wrap-up now, in the state asked for during it (default available). */
  endWrapup(): void {
    if (this.#snapshot.state !== 'wrapup') throw new AgentStateError(`not in wrap-up (the agent is ${this.#snapshot.state})`);
    const target = this.#resolve(this.#after);
    this.#after = { state: 'available' };
    this.transition(target.state, target.reason);
  }

  /**
   * The one move (the methods above choose the target; a pause reason comes from a request
   * `request()` checked, or from the current pause). Throws on a move the table does not allow.
   */
  transition(to: AgentStateName, reason?: string): void {
    const from = this.#snapshot.state;
    if (!allowedMoves[from].includes(to)) throw new Error(`Invalid agent state transition from ${from} to ${to}`);
    if (from === 'paused' && to === 'paused' && reason === this.#snapshot.reason) throw new Error(`Invalid agent state transition from paused to paused: already paused for ${reason}`);
    const before = this.snapshot;
    const next: AgentSnapshot = { state: to, since: this.opts.clock.wallNow() };
    if (reason !== undefined) next.reason = reason;
    if (to === 'wrapup') {
      // A restart keeps an extension already granted.
      const fresh = this.opts.clock.now() + this.opts.wrapupMs;
      this.#wrapupDeadline = from === 'wrapup' ? Math.max(this.#wrapupDeadline, fresh) : fresh;
      next.wrapupEndsAt = this.#wallTimeOf(this.#wrapupDeadline);
      this.#armWrapupTimer();
    } else {
      this.#cancelTimer();
      if (from === 'wrapup') this.#after = { state: 'available' };
    }
    this.#snapshot = next;
    this.events.emit('change', this.snapshot, before);
  }

  /** Stops the wrap-up timer (core stopping). */
  dispose(): void {
    this.#cancelTimer();
  }

  /** A request as the configuration allows it, or AgentStateError saying why not. */
  #checked(state: AgentRequest['state'], reason: string | undefined): AgentRequest {
    const allowed = this.opts.pauseReasons.join(', ');
    if (state !== 'paused') {
      if (reason !== undefined) throw new AgentStateError(`only a pause takes a reason (got "${reason}" with ${state})`);
      return { state };
    }
    if (reason === undefined) throw new AgentStateError(`a pause needs a reason, one of: ${allowed}`);
    if (!this.opts.pauseReasons.includes(reason)) throw new AgentStateError(`"${reason}" is not a pause reason; allowed: ${allowed}`);
    return { state, reason };
  }

  /** "available" means dnd while every line is in DND. */
  #resolve(req: AgentRequest): { state: AgentStateName; reason?: string } {
    if (req.state === 'available' && this.#allLinesDnd) return { state: 'dnd' };
    return req.state === 'paused' ? { state: 'paused', reason: req.reason } : { state: req.state };
  }

  #armWrapupTimer(): void {
    this.#cancelTimer();
    this.#timer = this.opts.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#snapshot.state === 'wrapup') this.endWrapup();
    }, Math.max(0, this.#wrapupDeadline - this.opts.clock.now()));
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #wallTimeOf(monotonic: number): number {
    return Math.round(this.opts.clock.wallNow() + (monotonic - this.opts.clock.now()));
  }
}
