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

let cursor = 0;

/**
 * Binds an RTP/RTCP socket pair on `host` from `range`, starting where the last call
 * left off so ports are not reused at once (a late packet of the last call must not
 * land in the next one).
 */
export async function bindRtpPortPair(host: string, range: PortRange): Promise<RtpPortPair> {
  const first = range.min % 2 === 0 ? range.min : range.min + 1;
  const slots = Math.floor((range.max - first) / 2) + 1;
  if (slots < 1) throw new Error(`RTP port range ${range.min}-${range.max} holds no even/odd pair`);
  const type = isIP(host) === 6 ? 'udp6' : 'udp4';
  for (let tried = 0; tried < slots; tried++) {
    const port = first + ((cursor++ % slots) * 2);
    const rtp = dgram.createSocket(type);
    const rtcp = dgram.createSocket(type);
    try {
      await bind(rtp, port, host);
      await bind(rtcp, port + 1, host);
    } catch {
      closeQuietly(rtp);
      closeQuietly(rtcp);
      continue;
    }
    return { rtp, rtcp, port, close: () => (closeQuietly(rtp), closeQuietly(rtcp)) };
  }
  throw new Error(`no free RTP port pair in ${range.min}-${range.max}`);
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
