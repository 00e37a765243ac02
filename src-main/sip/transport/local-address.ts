import dgram from 'node:dgram';
import { isIP } from 'node:net';
import type { Peer } from './flow.js';

/**
 * The local address the OS would use to reach `remote` (a connected UDP socket sends nothing).
 * Rejects when there is no route: with a callback, dgram reports a failed connect to the
 * callback and emits no 'error' (the socket would otherwise read as bound to 0.0.0.0).
 */
export function localAddressToward(remote: Peer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(isIP(remote.host) === 6 ? 'udp6' : 'udp4');
    const settle = (error: Error | undefined): void => {
      try {
        if (error) reject(error);
        else resolve(s.address().address);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      } finally {
        s.close();
      }
    };
    try {
      s.connect(remote.port, remote.host, (error?: Error) => settle(error));
    } catch (error) {
      settle(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
