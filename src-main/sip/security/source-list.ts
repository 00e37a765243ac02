import { BlockList, isIP } from 'node:net';

/**
 * A list of IP addresses and CIDR ranges ("192.0.2.10", "10.1.0.0/16", "2001:db8::/32"),
 * checked with node's BlockList. IPv4-mapped IPv6 addresses (a dual-stack socket's view of
 * an IPv4 sender) are checked as IPv4.
 */
export class SourceList {
  readonly #list = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[]) {
    for (const e of entries) addEntry(this.#list, e);
    this.size = entries.length;
  }

  has(address: string): boolean {
    if (this.size === 0) return false;
    const ip = plainAddress(address);
    const family = isIP(ip);
    if (family === 0) return false;
    return this.#list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** An address as a socket reports it, without brackets, with IPv4-mapped IPv6 as IPv4, lower case. */
export function plainAddress(address: string): string {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  return mapped ? mapped[1]! : a;
}

/** Why an entry is not an IP address or CIDR range; undefined when it is one. */
export function sourceEntryError(entry: string): string | undefined {
  try {
    addEntry(new BlockList(), entry);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function addEntry(list: BlockList, entry: string): void {
  const [ip = '', prefix, extra] = entry.trim().split('/');
  const family = isIP(ip);
  if (family === 0 || extra !== undefined) throw new Error(`"${entry}" is not an IP address or CIDR range (e.g. "192.0.2.10" or "10.1.0.0/16")`);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (prefix === undefined) {
    list.addAddress(ip, type);
    return;
  }
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (!(bits >= 0 && bits <= (family === 6 ? 128 : 32))) throw new Error(`"${entry}" has a bad prefix length (0-${family === 6 ? 128 : 32})`);
  list.addSubnet(ip, bits, type);
}
