import type { Clock } from '../common/clock.js';

/**
 * Who owns a call, keyed by Call-ID. When the PBX forks one call to several lines of
 * this desktop, every fork carries the same Call-ID; the first fork to claim it is kept
 * and every other one is refused. A claim is a compare-and-swap: it succeeds only when
 * nobody holds the Call-ID, and it is checked and set in one step (no await between).
 * Ended calls stay claimed for a while so late forks are refused too.
 */
export class CallClaims<T> {
  #owners = new Map<string, { owner: T; releasedAt?: number }>();
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    /** How long an ended call still refuses late forks (64*T1 covers every retransmission). */
    private readonly lingerMs = 32_000,
  ) {}

  /** Claims `callId` for `owner`. Returns the current owner: `owner` itself when the claim won. */
  claim(callId: string, owner: T): T {
    this.#sweep();
    const held = this.#owners.get(callId);
    if (held) return held.owner;
    this.#owners.set(callId, { owner });
    return owner;
  }

  owner(callId: string): T | undefined {
    return this.#owners.get(callId)?.owner;
  }

  /** The call ended: keep refusing its forks for `lingerMs`, then forget it. */
  release(callId: string): void {
    const held = this.#owners.get(callId);
    if (held && held.releasedAt === undefined) held.releasedAt = this.clock.now();
  }

  /** Calls currently claimed and not released. */
  get active(): number {
    let n = 0;
    for (const v of this.#owners.values()) if (v.releasedAt === undefined) n++;
    return n;
  }

  get size(): number {
    return this.#owners.size;
  }

  /** Forgets claims released more than lingerMs ago; at most once a second, so a claim stays O(1). */
  #sweep(): void {
    const now = this.clock.now();
    if (this.#owners.size < 256 || now - this.#lastSweep < 1_000) return;
    this.#lastSweep = now;
    const cutoff = now - this.lingerMs;
    for (const [k, v] of this.#owners) if (v.releasedAt !== undefined && v.releasedAt < cutoff) this.#owners.delete(k);
  }
}
