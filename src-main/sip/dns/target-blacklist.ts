import type { Clock } from '../../common/clock.js';
import { Emitter } from '../../common/emitter.js';
import { targetKey, type SipTarget } from './sip-target.js';

export interface TargetBlacklistEvents extends Record<string, unknown[]> {
  /** A target was found failing: lines that use it may move on without waiting to find out themselves. */
  failed: [target: SipTarget, reason: string];
}

/**
 * Targets that failed (timeout, 503, connection refused or reset) are skipped for a while,
 * by every line: the first line to find a PBX node dead spares the others the wait. When
 * every target of a list has failed, they are tried anyway, the one whose skip ends first
 * first (RFC 3263 §4.3: a failed target is not gone for good).
 */
export class TargetBlacklist {
  readonly events = new Emitter<TargetBlacklistEvents>();
  readonly #until = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    /** How long a failed target is skipped (Retry-After may ask for longer). */
    private readonly skipMs: number,
  ) {}

  fail(target: SipTarget, reason: string, forMs = this.skipMs): void {
    const key = targetKey(target);
    const until = this.clock.now() + Math.max(forMs, this.skipMs);
    const already = this.isFailed(target);
    this.#until.set(key, Math.max(until, this.#until.get(key) ?? 0));
    if (!already) this.events.emit('failed', target, reason);
  }

  /** A target answered: it is good again at once. */
  succeed(target: SipTarget): void {
    this.#until.delete(targetKey(target));
  }

  isFailed(target: SipTarget): boolean {
    const key = targetKey(target);
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (until > this.clock.now()) return true;
    this.#until.delete(key);
    return false;
  }

  /** The targets in their order, those not failed first, then the failed ones by the end of their skip. */
  order<T extends SipTarget>(targets: readonly T[]): T[] {
    const good = targets.filter((t) => !this.isFailed(t));
    const bad = targets.filter((t) => this.isFailed(t)).sort((a, b) => this.#until.get(targetKey(a))! - this.#until.get(targetKey(b))!);
    return [...good, ...bad];
  }
}
