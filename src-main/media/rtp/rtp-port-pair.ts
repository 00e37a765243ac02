import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { isIP } from 'node:net';

export interface PortRange {
  min: number;
  max: number;
}

/** An RTP socket on an even port and its RTCP socket on the next one (RFC 3550 §11). */
export interface RtpPortPair {
  rtp: dgram.Socket;
  rtcp: dgram.Socket;
  port: number;
  close(): void;
}

/** Pairs tried before giving up: enough to get past a busy range, few enough to fail fast. */
const MAX_ATTEMPTS = 64;
/** Ports handed out lately, not given again while the range has others: a late packet of the last call must not land in the next. */
export const RECENT_PORTS = 32;
const recent: number[] = [];

/** Which pair to bind (media workers: the main thread keeps the recently used ports of every worker). */
export interface BindChoice {
  /** Exactly this pair, or fail (a call's media re-opened on the ports its SDP gave). */
  port?: number;
  /** Ports released lately, avoided while the range has others (instead of this thread's own list). */
  recent?: readonly number[];
}

/**
 * Binds an RTP/RTCP socket pair on `host` at a random even port of `range` (RTCP = RTP + 1).
 * Random, so that a stranger cannot guess the next call's port from the last one's (issue 12).
 * A pair in use (EADDRINUSE) is passed over for another random one, up to MAX_ATTEMPTS
 * distinct pairs; any other bind error (a bad host, no permission) fails at once.
 */
export async function bindRtpPortPair(host: string, range: PortRange, choice: BindChoice = {}): Promise<RtpPortPair> {
  const first = range.min % 2 === 0 ? range.min : range.min + 1;
  const slots = Math.floor((range.max - 1 - first) / 2) + 1;
  if (slots < 1 || first + 1 > range.max) throw new Error(`RTP port range ${range.min}-${range.max} holds no even/odd pair`);
  const type = isIP(host) === 6 ? 'udp6' : 'udp4';
  const tried = new Set<number>();
  const attempts = choice.port !== undefined ? 1 : Math.min(slots, MAX_ATTEMPTS);
  const avoid = choice.recent ?? recent;
  while (tried.size < attempts) {
    const port = choice.port ?? pick(first, slots, tried, avoid);
    tried.add(port);
    const rtp = dgram.createSocket(type);
    const rtcp = dgram.createSocket(type);
    try {
      await bind(rtp, port, host);
      await bind(rtcp, port + 1, host);
    } catch (error) {
      closeQuietly(rtp);
      closeQuietly(rtcp);
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && choice.port === undefined) continue;
      throw new Error(`cannot bind RTP on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    recent.push(port);
    if (recent.length > RECENT_PORTS) recent.shift();
    return { rtp, rtcp, port, close: () => (closeQuietly(rtp), closeQuietly(rtcp)) };
  }
  throw new Error(`no free RTP port pair in ${range.min}-${range.max} after ${tried.size} attempts`);
}

/** A random even port not yet tried, avoiding recently used ones while the range has room. */
function pick(first: number, slots: number, tried: ReadonlySet<number>, avoid: readonly number[]): number {
  const avoidRecent = slots > tried.size + avoid.length;
  for (;;) {
    const port = first + randomInt(slots) * 2;
    if (tried.has(port) || (avoidRecent && avoid.includes(port))) continue;
    return port;
  }
}

function bind(s: dgram.Socket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, host, () => {
      s.off('error', reject);
      resolve();
    });
  });
}

function closeQuietly(s: dgram.Socket): void {
  try {
    s.close();
  } catch {
    /* not bound or already closed */
  }
}
