import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

// The Debian packages that provide each peer binary (Debian 12).
const APT_PACKAGES: Record<string, string> = {
  kamailio: 'kamailio kamailio-websocket-modules kamailio-tls-modules kamailio-utils-modules kamailio-extra-modules',
  kamcmd: 'kamailio',
  sipp: 'sip-tester',
  openssl: 'openssl',
  timeout: 'coreutils',
  dnsmasq: 'dnsmasq-base',
  ip: 'iproute2',
  iptables: 'iptables',
  svmap: 'sipvicious',
  svwar: 'sipvicious',
  linphonec: 'linphone-cli',
  opusinfo: 'opus-tools',
  opusdec: 'opus-tools',
};

// kamailio and kamcmd live in /usr/sbin, which is not on every user's PATH.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

const found = new Map<string, string | undefined>();

/** Absolute path of an executable on PATH (or in an sbin directory), or undefined. */
export function findBinary(name: string): string | undefined {
  if (found.has(name)) return found.get(name);
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...EXTRA_DIRS];
  let path: string | undefined;
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      path = candidate;
      break;
    } catch {
      // not here
    }
  }
  found.set(name, path);
  return path;
}

/** Like findBinary, but a missing binary is an error that names the package to install. */
export function binaryPath(name: string): string {
  const path = findBinary(name);
  if (path === undefined) throw new Error(missingMessage([name]));
  return path;
}

function missingMessage(missing: readonly string[]): string {
  const packages = [...new Set(missing.map((b) => APT_PACKAGES[b] ?? b))].join(' ');
  return `real-peer tests need ${missing.join(', ')} (not found on PATH); install with: apt-get install ${packages}`;
}

/**
 * For `test('x', { skip: peerSkipReason('kamailio', 'sipp') }, ...)`: undefined when every binary
 * is present, otherwise the reason to print. With LINEDESK_REQUIRE_PEERS=1 (CI) a missing peer
 * is an error instead of a skip.
 */
export function peerSkipReason(...binaries: string[]): string | undefined {
  const missing = binaries.filter((b) => findBinary(b) === undefined);
  if (missing.length === 0) return undefined;
  const message = missingMessage(missing);
  if (process.env.LINEDESK_REQUIRE_PEERS === '1') throw new Error(`${message} (LINEDESK_REQUIRE_PEERS=1)`);
  return message;
}
