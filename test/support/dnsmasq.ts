import { Resolver } from 'node:dns/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { binaryPath } from './peer-binaries.js';
import { freePort } from './ports.js';
import { spawnGroup, type ProcessGroup } from './process-group.js';

export { peerSkipReason } from './peer-binaries.js';

export interface SrvEntry {
  /** "_sip._udp.pbx.test" */
  name: string;
  target: string;
  port: number;
  priority: number;
  weight: number;
}

export interface NaptrEntry {
  name: string;
  order: number;
  preference: number;
  /** "S" for SRV, "A" for address records. */
  flags: string;
  /** "SIP+D2U", "SIP+D2T", "SIPS+D2T", ... */
  service: string;
  replacement: string;
}

export interface DnsmasqOptions {
  /** The zone served (answered "no such name" for anything else in it). Default "test". */
  domain?: string;
  srv?: SrvEntry[];
  naptr?: NaptrEntry[];
  /** A and AAAA records: name → addresses. */
  hosts?: Record<string, string[]>;
  /** TTL of every answer (default 1 s). */
  ttlSec?: number;
}

export interface Dnsmasq {
  readonly port: number;
  /** "127.0.0.1:<port>", as LineDesk's dns.servers takes it. */
  readonly server: string;
  /** dnsmasq's output so far: with --log-queries, one "query[TYPE] name" line per query. */
  log(): string;
  /** Queries of one type for one name seen so far ("SRV", "_sip._udp.pbx.test"). */
  queries(type: string, name: string): number;
  stop(): Promise<void>;
}

/**
 * A real DNS server (Debian's dnsmasq-base) on a free loopback port, serving only the
 * records given, with no upstream: names outside them are answered "no such name".
 */
export async function startDnsmasq(opts: DnsmasqOptions): Promise<Dnsmasq> {
  const port = await freePort('both');
  const domain = opts.domain ?? 'test';
  const args = [
    '--no-daemon',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--bind-interfaces',
    '--listen-address=127.0.0.1',
    `--port=${port}`,
    `--local=/${domain}/`,
    `--local-ttl=${opts.ttlSec ?? 1}`,
    '--log-queries',
    '--log-facility=-',
  ];
  for (const s of opts.srv ?? []) args.push(`--srv-host=${s.name},${s.target},${s.port},${s.priority},${s.weight}`);
  for (const n of opts.naptr ?? []) args.push(`--naptr-record=${n.name},${n.order},${n.preference},${n.flags},${n.service},,${n.replacement}`);
  for (const [name, addresses] of Object.entries(opts.hosts ?? {})) args.push(`--host-record=${name},${addresses.join(',')}`);
  const group = spawnGroup(binaryPath('dnsmasq'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  group.child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  group.child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const peer = new DnsmasqPeer(port, group, output);
  try {
    await waitUntilAnswering(peer, group);
  } catch (error) {
    await group.stop(2_000);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- dnsmasq ---\n${output.join('')}`, { cause: error });
  }
  group.child.unref();
  return peer;
}

class DnsmasqPeer implements Dnsmasq {
  constructor(
    readonly port: number,
    private readonly group: ProcessGroup,
    private readonly output: string[],
  ) {}

  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  log(): string {
    return this.output.join('');
  }

  queries(type: string, name: string): number {
    const wanted = `query[${type}] ${name} `;
    return this.log().split('\n').filter((l) => l.includes(wanted)).length;
  }

  async stop(): Promise<void> {
    await this.group.stop(2_000);
  }
}

/** Asks for a name in no zone until dnsmasq answers at all ("no such name" is an answer). */
async function waitUntilAnswering(d: Dnsmasq, group: ProcessGroup): Promise<void> {
  const r = new Resolver({ timeout: 200, tries: 1 });
  r.setServers([d.server]);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (group.hasExited()) throw new Error('dnsmasq exited during start-up');
    try {
      await r.resolve4('ready.invalid');
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EREFUSED' || code === 'ESERVFAIL') return;
    }
    if (Date.now() > deadline) throw new Error(`dnsmasq did not answer on ${d.server} within 10 s`);
    await delay(50);
  }
}
