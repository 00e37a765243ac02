import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { printable, RateLimitedLog } from './rate-limited-log.js';
import { plainAddress, SourceList } from './source-list.js';

/** The PBX's current addresses (core: every resolved registrar, backup and proxy, kept fresh by TTL). */
export interface AddressSet {
  has(address: string): boolean;
}

export interface SignallingGuardOptions {
  pbx: AddressSet;
  /** security.trustedSources: IPs and CIDR ranges a PBX cluster also sends from. */
  trustedSources: readonly string[];
  clock: Clock;
  log: Logger;
}

/**
 * Who may send signalling to LineDesk's UDP port. Anyone on the network can send a
 * datagram there; only the PBX (the resolved addresses of the registrars, backups and
 * outbound proxy) and the configured trusted sources may have their requests reach a
 * line or get any answer. Everything else is dropped without a word, so a scanner learns
 * nothing, and counted; each source is logged at most once a minute.
 */
export class SignallingGuard {
  /** Messages dropped because of where they came from. */
  dropped = 0;
  readonly #trusted: SourceList;
  readonly #logged: RateLimitedLog;

  constructor(private readonly opts: SignallingGuardOptions) {
    this.#trusted = new SourceList(opts.trustedSources);
    this.#logged = new RateLimitedLog(opts.clock, 60_000);
  }

  /** A PBX address or a trusted source: its requests may reach a line. */
  fromPbx(address: string): boolean {
    const a = plainAddress(address);
    return this.opts.pbx.has(a) || this.#trusted.has(a);
  }

  /** Configured as trusted: it may address a line by its AOR, not only by its Contact. */
  trusted(address: string): boolean {
    return this.#trusted.has(address);
  }

  /** Counts a dropped message and logs its source (at most once per source per minute). */
  drop(address: string, what: string): void {
    this.dropped++;
    const a = plainAddress(address);
    const held = this.#logged.take(a);
    if (held === undefined) return;
    const more = held > 0 ? ` (and ${held} more since the last report)` : '';
    this.opts.log.warn(`dropped ${printable(what, 60)} from ${printable(a, 45)}: not the PBX nor a trusted source${more}`);
  }
}
