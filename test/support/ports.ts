import { createSocket } from 'node:dgram';
import { createServer, isIP } from 'node:net';

export type PortKind = 'udp' | 'tcp' | 'both';

// Ports handed out by this process and not yet bound by whoever asked for them: the OS would
// happily return the same ephemeral port twice while the first owner is still starting up.
const handedOut = new Set<number>();

/**
 * A loopback port that is free right now for UDP, TCP or both (a SIP listener needs both).
 * There is a window between this check and the caller's bind; the handed-out set keeps two
 * callers in this process apart, and peers are started right after asking.
 */
export async function freePort(kind: PortKind, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = kind === 'udp' ? await bindUdp(host, 0) : await bindTcp(host, 0);
    if (port === undefined || handedOut.has(port)) continue;
    if (kind === 'both' && (await bindUdp(host, port)) === undefined) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free ${kind} port on ${host} after 50 attempts`);
}

/**
 * The first of `count` consecutive UDP ports, all free, starting at an even number
 * (sipp's -rtp_echo uses mp..mp+3).
 */
export async function freeUdpPortBlock(count: number, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20000 + 2 * Math.floor(Math.random() * 10000);
    let allFree = true;
    for (let p = first; p < first + count && allFree; p++) {
      allFree = !handedOut.has(p) && (await bindUdp(host, p)) !== undefined;
    }
    if (!allFree) continue;
    for (let p = first; p < first + count; p++) handedOut.add(p);
    return first;
  }
  throw new Error(`no block of ${count} free UDP ports on ${host} after 50 attempts`);
}

/** Binds and closes at once; resolves to the bound port, or undefined when it was taken. */
function bindUdp(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, host, () => {
      const bound = socket.address().port;
      socket.close(() => resolve(bound));
    });
  });
}

function bindTcp(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}
