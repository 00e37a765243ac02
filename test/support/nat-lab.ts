import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { findBinary, peerSkipReason } from './peer-binaries.js';

const run = promisify(execFile);

export interface NatLab {
  /** The namespace the desk runs in, behind the NAT. */
  readonly deskNs: string;
  /** The namespace that routes and masquerades (its own iptables, conntrack and sysctls). */
  readonly routerNs: string;
  readonly deskIp: string;
  /** The NAT's outside address: what the PBX sees the desk as. */
  readonly publicIp: string;
  /** An address of this (the test's) namespace the desk reaches only through the NAT. */
  readonly outsideIp: string;
  /** The NAT's UDP binding timeout, in seconds (conntrack, in the router namespace). */
  readonly udpTimeoutSec: number;
  /** Command prefix that runs a program inside the desk namespace. */
  readonly inDesk: string[];
  /** Runs a command in the router namespace; resolves to its stdout. */
  inRouter(cmd: string, ...args: string[]): Promise<string>;
  /** Removes both namespaces (with them the veth pairs, the iptables rules and the conntrack table). */
  destroy(): Promise<void>;
}

/**
 * Why the NAT test cannot run here, if it cannot: it needs root (network namespaces,
 * iptables), `ip` and `iptables`. CI runs as root; with LINEDESK_REQUIRE_PEERS=1 a missing
 * binary fails instead of skipping, but not being root is always a skip.
 */
export function natLabSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'the NAT test creates network namespaces and iptables rules, which needs root (CI runs as root)';
  return peerSkipReason('ip', 'iptables');
}

/**
 * A desk behind a real Linux NAT, built from two network namespaces:
 *
 *   desk ns  10.77.0.2 ──veth── 10.77.0.1  router ns  10.77.1.2 ──veth── 10.77.1.1  test ns
 *                                          (MASQUERADE out of 10.77.1.2)
 *
 * Traffic from the desk reaches the test's namespace (where Kamailio and sipp run) only
 * through the router's MASQUERADE, so the PBX sees 10.77.1.2 and a port the NAT chose, and
 * packets toward the desk pass only while the NAT's conntrack binding lives (its UDP
 * timeout is set to `udpTimeoutSec` in the router namespace alone).
 */
export async function createNatLab(opts: { udpTimeoutSec: number }): Promise<NatLab> {
  const id = randomBytes(3).toString('hex');
  const deskNs = `ld-desk-${id}`;
  const routerNs = `ld-nat-${id}`;
  const ip = findBinary('ip')!;
  const iptables = findBinary('iptables')!;
  const sh = async (cmd: string, ...args: string[]): Promise<string> => {
    try {
      return (await run(cmd, args, { timeout: 10_000 })).stdout;
    } catch (error) {
      const e = error as { stderr?: string; message?: string };
      throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr || e.message}`, { cause: error });
    }
  };
  const inNs = (ns: string, cmd: string, ...args: string[]): Promise<string> => sh(ip, 'netns', 'exec', ns, cmd, ...args);
  const existing = await sh(ip, '-4', '-o', 'addr', 'show');
  if (/\b10\.77\.[01]\.\d+\//.test(existing)) throw new Error('10.77.0.0/24 or 10.77.1.0/24 is already in use on this machine (a NAT test left over?)');
  const lab: NatLab = {
    deskNs,
    routerNs,
    deskIp: '10.77.0.2',
    publicIp: '10.77.1.2',
    outsideIp: '10.77.1.1',
    udpTimeoutSec: opts.udpTimeoutSec,
    inDesk: [ip, 'netns', 'exec', deskNs],
    inRouter: (cmd, ...args) => inNs(routerNs, cmd, ...args),
    destroy: async () => {
      for (const ns of [deskNs, routerNs]) await sh(ip, 'netns', 'del', ns).catch(() => undefined);
    },
  };
  try {
    await sh(ip, 'netns', 'add', deskNs);
    await sh(ip, 'netns', 'add', routerNs);
    // desk <-> router
    await sh(ip, 'link', 'add', `ldd${id}`, 'netns', deskNs, 'type', 'veth', 'peer', 'name', `ldr${id}`, 'netns', routerNs);
    // router <-> this namespace
    await sh(ip, 'link', 'add', `ldo${id}`, 'netns', routerNs, 'type', 'veth', 'peer', 'name', `ldh${id}`);
    await inNs(deskNs, ip, 'addr', 'add', '10.77.0.2/24', 'dev', `ldd${id}`);
    await inNs(routerNs, ip, 'addr', 'add', '10.77.0.1/24', 'dev', `ldr${id}`);
    await inNs(routerNs, ip, 'addr', 'add', '10.77.1.2/24', 'dev', `ldo${id}`);
    await sh(ip, 'addr', 'add', '10.77.1.1/24', 'dev', `ldh${id}`);
    for (const [ns, dev] of [[deskNs, `ldd${id}`], [deskNs, 'lo'], [routerNs, `ldr${id}`], [routerNs, `ldo${id}`], [routerNs, 'lo']] as const) await inNs(ns, ip, 'link', 'set', dev, 'up');
    await sh(ip, 'link', 'set', `ldh${id}`, 'up');
    await inNs(deskNs, ip, 'route', 'add', 'default', 'via', '10.77.0.1');
    await inNs(routerNs, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
    await inNs(routerNs, iptables, '-t', 'nat', '-A', 'POSTROUTING', '-o', `ldo${id}`, '-j', 'MASQUERADE');
    // The NAT must exist before its conntrack sysctls do (the module's per-namespace state).
    for (const name of ['nf_conntrack_udp_timeout', 'nf_conntrack_udp_timeout_stream']) {
      await inNs(routerNs, 'sysctl', '-q', '-w', `net.netfilter.${name}=${opts.udpTimeoutSec}`);
    }
    return lab;
  } catch (error) {
    await lab.destroy();
    throw error;
  }
}
