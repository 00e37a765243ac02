import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { Peer } from '../transport/flow.js';
import { naptrService, srvName } from './naptr-services.js';
import { defaultPorts, DnsResolutionError, targetKey, type SipDestination, type SipTarget } from './sip-target.js';
import { orderSrv, type SrvRecord } from './srv-order.js';

export interface SipResolverOptions {
  /** DNS servers as "ip" or "ip:port" ("[v6]:port"); the system's when empty. */
  servers?: readonly string[];
  clock: Clock;
  log: Logger;
  /** For the weighted SRV draw; fixed in tests. */
  random?: () => number;
  /**
   * Longest time one answer is used. Node reports the TTL of A/AAAA records only, so
   * NAPTR and SRV answers are re-asked at the latest after this.
   */
  maxCacheMs?: number;
  /** Shortest time one answer is used (a TTL of 0 must not mean one query per message). */
  minCacheMs?: number;
  /** Per query attempt; two attempts per server. */
  timeoutMs?: number;
}

const maxCachedNames = 1_024;

interface Cached {
  targets: SipTarget[];
  expiresAt: number;
}

interface Addresses {
  hosts: string[];
  ttlMs: number;
}

/**
 * RFC 3263 server location: NAPTR → SRV → A/AAAA for a registrar or proxy host name,
 * giving the ordered list of concrete targets to try. An IP literal, or a name with an
 * explicit port, skips NAPTR and SRV. Answers are cached by TTL (bounded, see
 * maxCacheMs); one lookup per destination runs at a time however many lines ask; when a
 * refresh fails, the last answer is kept rather than losing the PBX.
 */
export class SipResolver {
  readonly #dns: Resolver;
  readonly #cache = new Map<string, Cached>();
  readonly #pending = new Map<string, Promise<SipTarget[]>>();
  readonly #random: () => number;
  readonly #maxCacheMs: number;
  readonly #minCacheMs: number;

  constructor(private readonly opts: SipResolverOptions) {
    this.#dns = new Resolver({ timeout: opts.timeoutMs ?? 2_000, tries: 2 });
    if (opts.servers && opts.servers.length > 0) this.#dns.setServers([...opts.servers]);
    this.#random = opts.random ?? Math.random;
    this.#maxCacheMs = opts.maxCacheMs ?? 60_000;
    this.#minCacheMs = opts.minCacheMs ?? 1_000;
  }

  /** The targets for a destination, best first; rejects with DnsResolutionError when there is none. */
  async resolve(dest: SipDestination): Promise<SipTarget[]> {
    const literal = literalTarget(dest);
    if (literal) return [literal];
    const key = destinationKey(dest);
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt > this.opts.clock.now()) return cached.targets;
    const running = this.#pending.get(key);
    if (running) return running;
    const p = this.#refresh(key, dest, cached).finally(() => this.#pending.delete(key));
    this.#pending.set(key, p);
    return p;
  }

  /** The last answer for a destination, even if expired (no query). */
  cached(dest: SipDestination): SipTarget[] | undefined {
    return literalTarget(dest) ? [literalTarget(dest)!] : this.#cache.get(destinationKey(dest))?.targets;
  }

  /** When the cached answer for a destination runs out (clock ms), if there is one. */
  expiresAt(dest: SipDestination): number | undefined {
    return this.#cache.get(destinationKey(dest))?.expiresAt;
  }

  /** A/AAAA only, for an explicit host and port (in-dialog Route or Contact hosts, Via hosts). */
  async address(peer: Peer, family?: 4 | 6): Promise<Peer> {
    const targets = await this.resolve({ host: peer.host, port: peer.port, protocol: 'udp', ...(family ? { family } : {}) });
    return { host: targets[0]!.host, port: peer.port };
  }

  async #refresh(key: string, dest: SipDestination, stale: Cached | undefined): Promise<SipTarget[]> {
    const name = describe(dest);
    try {
      const { targets, ttlMs } = await this.#locate(dest);
      if (targets.length === 0) throw new DnsResolutionError(name, 'no NAPTR, SRV, A or AAAA record');
      const expiresAt = this.opts.clock.now() + Math.min(this.#maxCacheMs, Math.max(this.#minCacheMs, ttlMs));
      this.#remember(key, { targets, expiresAt });
      this.opts.log.debug(`${name} → ${targets.map(targetKey).join(', ')}`);
      return targets;
    } catch (error) {
      const err = error instanceof DnsResolutionError ? error : new DnsResolutionError(name, error instanceof Error ? error.message : String(error));
      if (!stale) throw err;
      // A DNS outage must not take the PBX away: keep the last answer a while longer.
      this.opts.log.warn(`${err.message}; keeping the previous answer`);
      stale.expiresAt = this.opts.clock.now() + this.#minCacheMs * 5;
      return stale.targets;
    }
  }

  /** Names come from the wire too (Route, Contact, Via): the cache is capped, expired and then oldest entries going first. */
  #remember(key: string, entry: Cached): void {
    this.#cache.delete(key);
    if (this.#cache.size >= maxCachedNames) {
      const now = this.opts.clock.now();
      for (const [k, v] of this.#cache) if (v.expiresAt <= now) this.#cache.delete(k);
      while (this.#cache.size >= maxCachedNames) {
        const oldest = this.#cache.keys().next().value;
        if (oldest === undefined) break;
        this.#cache.delete(oldest);
      }
    }
    this.#cache.set(key, entry);
  }

  async #locate(dest: SipDestination): Promise<{ targets: SipTarget[]; ttlMs: number }> {
    const { host, protocol } = dest;
    const secure = dest.secure ?? false;
    if (dest.port !== undefined) {
      const a = await this.#addresses(host, dest.family);
      return { targets: a.hosts.map((h) => ({ host: h, port: dest.port!, protocol, name: host })), ttlMs: a.ttlMs };
    }
    // NAPTR (RFC 3263 §4.1): the records for our transport, by order then preference.
    const service = naptrService(protocol, secure);
    const naptr = (await this.#query(() => this.#dns.resolveNaptr(host)))
      .filter((n) => n.flags.toUpperCase() === 'S' && n.service.toUpperCase() === service && n.replacement !== '')
      .sort((a, b) => a.order - b.order || a.preference - b.preference);
    const fallback = srvName(host, protocol, secure);
    const srvNames = naptr.length > 0 ? [...new Set(naptr.map((n) => n.replacement))] : fallback ? [fallback] : [];
    const records: SrvRecord[] = [];
    for (const n of srvNames) records.push(...orderSrv(await this.#query(() => this.#dns.resolveSrv(n)), this.#random));
    if (records.length === 0) {
      // No SRV: the host itself on the transport's default port (RFC 3263 §4.2).
      const a = await this.#addresses(host, dest.family);
      const port = defaultPorts[protocol];
      return { targets: a.hosts.map((h) => ({ host: h, port, protocol, name: host })), ttlMs: a.ttlMs };
    }
    const targets: SipTarget[] = [];
    const seen = new Set<string>();
    let ttlMs = Infinity;
    for (const r of records) {
      const a = await this.#addresses(r.name, dest.family);
      if (a.hosts.length > 0) ttlMs = Math.min(ttlMs, a.ttlMs);
      for (const h of a.hosts) {
        const t: SipTarget = { host: h, port: r.port, protocol, name: r.name };
        if (seen.has(targetKey(t))) continue;
        seen.add(targetKey(t));
        targets.push(t);
      }
    }
    return { targets, ttlMs };
  }

  /** A then AAAA records (with their TTL); the system's resolver (hosts file) when DNS has none. */
  async #addresses(host: string, family: 4 | 6 | undefined): Promise<Addresses> {
    const hosts: string[] = [];
    let ttl = Infinity;
    const take = (records: { address: string; ttl: number }[]): void => {
      for (const r of records) {
        hosts.push(r.address);
        ttl = Math.min(ttl, r.ttl * 1000);
      }
    };
    if (family !== 6) take(await this.#query(() => this.#dns.resolve4(host, { ttl: true })));
    if (family !== 4) take(await this.#query(() => this.#dns.resolve6(host, { ttl: true })));
    if (hosts.length > 0) return { hosts, ttlMs: ttl };
    try {
      const found = await lookup(host, { all: true, family: family ?? 0 });
      return { hosts: found.map((f) => f.address), ttlMs: this.#maxCacheMs };
    } catch {
      return { hosts: [], ttlMs: Infinity };
    }
  }

  /** Runs one query; "no such name", "no data" and failures alike give no records (the next step decides). */
  async #query<T>(q: () => Promise<T[]>): Promise<T[]> {
    try {
      return await q();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'ENODATA' && code !== 'ENOTFOUND') this.opts.log.debug(`DNS query failed: ${code ?? String(error)}`);
      return [];
    }
  }
}

function literalTarget(dest: SipDestination): SipTarget | undefined {
  if (isIP(dest.host) === 0) return undefined;
  return { host: dest.host, port: dest.port ?? defaultPorts[dest.protocol], protocol: dest.protocol, name: dest.host };
}

function destinationKey(d: SipDestination): string {
  return `${d.protocol}|${d.secure ? 's' : ''}|${d.host.toLowerCase()}|${d.port ?? ''}|${d.family ?? ''}`;
}

function describe(d: SipDestination): string {
  return `${d.secure ? 'sips' : 'sip'}:${d.host}${d.port !== undefined ? `:${d.port}` : ''} (${d.protocol})`;
}
