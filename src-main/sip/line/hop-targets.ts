import type { TargetBlacklist } from '../dns/target-blacklist.js';
import { targetKey, type SipTarget } from '../dns/sip-target.js';

/**
 * One configured server (registrar, backup or outbound proxy) as one line walks through
 * its DNS targets: which target is in use, which were tried in this round of failures.
 * The list comes from the resolver (RFC 3263 order, re-asked when its TTL runs out); the
 * blacklist moves targets that failed, for this line or any other, to the back.
 */
export class HopTargets {
  #list: SipTarget[] = [];
  #current: SipTarget | undefined;
  #tried = new Set<string>();

  constructor(
    private readonly resolve: () => Promise<SipTarget[]>,
    private readonly blacklist: TargetBlacklist,
  ) {}

  /** The target in use, if one was picked. */
  current(): SipTarget | undefined {
    return this.#current;
  }

  /**
   * The target to use now: the current one while it is still listed and not failed,
   * else the best one not yet tried in this round. Rejects when DNS has no target.
   */
  async pick(): Promise<SipTarget> {
    const list = this.blacklist.order(await this.resolve());
    this.#list = list;
    const cur = this.#current;
    if (cur && !this.blacklist.isFailed(cur)) {
      const still = list.find((t) => targetKey(t) === targetKey(cur));
      if (still) return (this.#current = still);
    }
    this.#current = list.find((t) => !this.#tried.has(targetKey(t))) ?? list[0]!;
    return this.#current;
  }

  /**
   * The current target failed. When the server is down (timeout, 503, refused, reset) it
   * is skipped for a while by every line; otherwise only this line moves on.
   * True when another target of this server is left to try in this round; false when
   * every one was tried (the round starts again, and the caller moves on or backs off).
   */
  fail(reason: string, forMs?: number, serverDown = true): boolean {
    const cur = this.#current;
    if (!cur) return false;
    if (serverDown) this.blacklist.fail(cur, reason, forMs);
    this.#tried.add(targetKey(cur));
    const next = this.#list.find((t) => !this.#tried.has(targetKey(t)));
    if (next) {
      this.#current = next;
      return true;
    }
    this.#tried.clear();
    this.#current = undefined;
    return false;
  }

  /** The current target answered: it is good again, and the next failure starts a new round. */
  succeeded(): void {
    this.#tried.clear();
    if (this.#current) this.blacklist.succeed(this.#current);
  }
}
