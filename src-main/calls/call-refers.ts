import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { ControlEvent, ReferOutcome } from '../contract/control-events.js';
import type { IncomingRefer } from './incoming-refer.js';

/** What the line does with a REFER whose target LineDesk could call. */
export type ReferDecision =
  /** An agent line: put it to the agent, who has `timeoutMs` to answer before it is declined. */
  | { kind: 'ask'; timeoutMs: number }
  /** A service line whose allowReferTo names the target: carry it out. */
  | { kind: 'allow'; detail: string }
  | { kind: 'refuse'; detail: string };

/** What CallRefers needs from its call. */
export interface CallRefersHost {
  readonly callId: string;
  /** The line the call's events name. */
  line(): string;
  readonly clock: Clock;
  readonly log: Logger;
  emit(e: ControlEvent): void;
  decide(target: string): ReferDecision;
  /**
   * Places the call the REFER asks for (its 202 is sent); its progress goes back by
   * refer.notify. `done` is called once that call is over, or could not be placed.
   */
  carryOut(refer: IncomingRefer, target: string, done: () => void): void;
}

/** A REFER waiting for the agent's answer. */
export interface PendingRefer {
  readonly target: string;
  readonly referredBy?: string;
  /** Wall-clock ms when it arrived. */
  readonly since: number;
}

interface Waiting extends PendingRefer {
  readonly refer: IncomingRefer;
  readonly timer: TimerHandle;
}

/** Refused or declined REFERs get 603 Decline; a REFER that arrives while one waits gets 491 Request Pending. */
const DECLINE = 603;
const PENDING = 491;

/**
 * The REFERs of one call, owned by the Call (never a side map): a REFER never acts alone.
 * Each is decided by the call's line: put to the agent (`call.refer`; at most one waits per
 * call, and another meanwhile, or while a call an earlier one asked for is still going, is
 * refused with 491), carried out when a service line's allowReferTo names
 * its target, refused with 603 otherwise or when its Refer-To is not something LineDesk
 * would call as shown. Every REFER ends with exactly one `call.refer.ended`. When the call
 * ends, the waiting REFER is declined with it.
 */
export class CallRefers {
  #waiting: Waiting | undefined;
  /** A call one of this call's REFERs asked for is being placed or is up. */
  #carrying = false;
  #closed = false;

  constructor(private readonly host: CallRefersHost) {}

  /** The REFER waiting for the agent's answer, if any. */
  get pending(): PendingRefer | undefined {
    const w = this.#waiting;
    return w ? { target: w.target, since: w.since, ...(w.referredBy !== undefined ? { referredBy: w.referredBy } : {}) } : undefined;
  }

  /** A REFER arrived in the call's dialog. */
  receive(refer: IncomingRefer): void {
    const { target } = refer;
    if (this.#closed) return this.#refuse(refer, refer.referTo, DECLINE, 'the call has ended');
    if (!target.ok) return this.#refuse(refer, refer.referTo, DECLINE, target.problem);
    if (this.#waiting) return this.#refuse(refer, target.target, PENDING, 'another REFER of this call waits for an answer');
    // One referred call at a time: a far end cannot make the line place call after call.
    if (this.#carrying) return this.#refuse(refer, target.target, PENDING, 'the call an earlier REFER of this call asked for is still going');
    let decision: ReferDecision;
    try {
      decision = this.host.decide(target.target);
    } catch (error) {
      this.host.log.error('could not decide on a REFER', { call: this.host.callId, error });
      decision = { kind: 'refuse', detail: 'internal error' };
    }
    switch (decision.kind) {
      case 'refuse':
        return this.#refuse(refer, target.target, DECLINE, decision.detail);
      case 'allow':
        return this.#carryOut(refer, target.target, decision.detail);
      case 'ask': {
        const timer = this.host.clock.setTimeout(() => this.#decline('timeout', 'nobody answered'), decision.timeoutMs);
        this.#waiting = { refer, target: target.target, since: this.host.clock.wallNow(), timer, ...(refer.referredBy !== undefined ? { referredBy: refer.referredBy } : {}) };
        this.host.emit({ event: 'call.refer', call: this.host.callId, line: this.host.line(), target: target.target, ...(refer.referredBy !== undefined ? { referredBy: refer.referredBy } : {}) });
      }
    }
  }

  /** The agent accepts the waiting REFER: 202, then the call to its target. Returns the target. */
  accept(): string {
    const w = this.#take();
    if (!w) throw new Error('no REFER waits for an answer on this call');
    this.#carryOut(w.refer, w.target);
    return w.target;
  }

  /** The agent declines the waiting REFER (603). */
  decline(): void {
    if (!this.#waiting) throw new Error('no REFER waits for an answer on this call');
    this.#decline('declined');
  }

  /** The call is over: the waiting REFER is declined with it, and later ones refused. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#waiting) this.#decline('call-ended', 'the call has ended');
  }

  #take(): Waiting | undefined {
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.timer.cancel();
    return w;
  }

  #decline(outcome: ReferOutcome, detail?: string): void {
    const w = this.#take();
    if (!w) return;
    w.refer.reject(DECLINE);
    this.#ended(w.target, outcome, DECLINE, detail);
  }

  #refuse(refer: IncomingRefer, target: string, code: number, detail: string): void {
    this.host.log.warn(`REFER refused (${code}): ${detail}`, { call: this.host.callId, referTo: refer.referTo });
    refer.reject(code);
    this.#ended(target, 'refused', code, detail);
  }

  #carryOut(refer: IncomingRefer, target: string, detail?: string): void {
    refer.accept();
    this.#ended(target, 'accepted', 202, detail);
    this.#carrying = true;
    let over = false;
    const done = (): void => {
      if (over) return;
      over = true;
      this.#carrying = false;
    };
    try {
      this.host.carryOut(refer, target, done);
    } catch (error) {
      this.host.log.error('could not place the call a REFER asked for', { call: this.host.callId, target, error });
      refer.notify(503, 'Service Unavailable');
      done();
    }
  }

  #ended(target: string, outcome: ReferOutcome, code: number, detail?: string): void {
    this.host.emit({ event: 'call.refer.ended', call: this.host.callId, line: this.host.line(), target, outcome, code, ...(detail !== undefined ? { detail } : {}) });
  }
}
