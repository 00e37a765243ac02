import type { Clock, TimerHandle } from '../../common/clock.js';
import { Emitter } from '../../common/emitter.js';
import type { Logger } from '../../common/logger.js';
import type { SipResolver } from './sip-resolver.js';
import { targetKey, type SipDestination, type SipTarget } from './sip-target.js';

export interface PbxAddressesEvents extends Record<string, unknown[]> {
  changed: [addresses: ReadonlySet<string>];
}

/**
 * The current set of PBX addresses: every resolved target of every configured registrar,
 * backup and outbound proxy, re-resolved when their answers expire. What a signalling
 * source filter checks a request's source against (requests from elsewhere are not the
 * PBX's), and what calls arriving through any DNS target have in common.
 */
export class PbxAddresses {
  readonly events = new Emitter<PbxAddressesEvents>();
  #targets: SipTarget[] = [];
  #hosts: ReadonlySet<string> = new Set();
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(
    private readonly resolver: SipResolver,
    private readonly destinations: readonly SipDestination[],
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Re-resolve at least this often, whatever the TTLs say. */
    private readonly maxIntervalMs = 60_000,
  ) {}

  /** Resolves every destination (those that fail are left out and logged) and keeps the set fresh. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.refresh();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** IP addresses of every target. */
  addresses(): ReadonlySet<string> {
    return this.#hosts;
  }

  has(host: string): boolean {
    return this.#hosts.has(host.replace(/^\[|\]$/g, '').toLowerCase());
  }

  targets(): readonly SipTarget[] {
    return this.#targets;
  }

  async refresh(): Promise<void> {
    this.#timer?.cancel();
    const all: SipTarget[] = [];
    const seen = new Set<string>();
    let next = this.clock.now() + this.maxIntervalMs;
    for (const d of this.destinations) {
      try {
        for (const t of await this.resolver.resolve(d)) {
          if (seen.has(targetKey(t))) continue;
          seen.add(targetKey(t));
          all.push(t);
        }
        const expires = this.resolver.expiresAt(d);
        if (expires !== undefined) next = Math.min(next, expires);
      } catch (error) {
        this.log.warn(`PBX address list: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (this.#stopped) return;
    const hosts = new Set(all.map((t) => t.host.toLowerCase()));
    const changed = hosts.size !== this.#hosts.size || [...hosts].some((h) => !this.#hosts.has(h));
    this.#targets = all;
    this.#hosts = hosts;
    if (changed) this.events.emit('changed', hosts);
    this.#timer = this.clock.setTimeout(() => void this.refresh(), Math.max(1_000, next - this.clock.now()));
  }
}
