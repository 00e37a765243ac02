import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import { systemClock, type Clock } from '../../../src-main/common/clock.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import { StreamChannel } from '../../../src-main/sip/transport/stream-channel.js';
import { FakeClock } from '../../support/fake-clock.js';
import { request } from '../../support/sip-text.js';

const settle = (ms = 100): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A loopback TCP server; resolves with its port and the accepted sockets. */
async function server(): Promise<{ port: number; sockets: net.Socket[]; close(): void }> {
  const sockets: net.Socket[] = [];
  const srv = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      srv.close();
    },
  };
}

function channel(clock: Clock = systemClock, keepAliveMs = 0): StreamChannel {
  return new StreamChannel({ protocol: 'tcp', bind: { host: '127.0.0.1', port: 0 }, connectTimeoutMs: 2_000, keepAliveMs, limits: { maxHeaderBytes: 32_768, maxBodyBytes: 65_536 } }, clock, silentLogger);
}

describe('StreamChannel', () => {
  test('answers a ping with a pong', async () => {
    const srv = await server();
    const ch = channel();
    try {
      await ch.connect({ host: '127.0.0.1', port: srv.port });
      await settle(20);
      const got: Buffer[] = [];
      srv.sockets[0]!.on('data', (b: Buffer) => got.push(b));
      srv.sockets[0]!.write('\r\n\r\n');
      await settle();
      assert.equal(Buffer.concat(got).toString(), '\r\n');
    } finally {
      ch.close();
      srv.close();
    }
  });

  test('a pong that can no longer be written is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const srv = await server();
    const ch = channel();
    try {
      await ch.connect({ host: '127.0.0.1', port: srv.port });
      await settle(20);
      // The connection goes away while the same read still holds a ping: answering it fails.
      ch.events.on('message', () => ch.close());
      srv.sockets[0]!.write(Buffer.concat([Buffer.from(request('OPTIONS')), Buffer.from('\r\n\r\n')]));
      await settle();
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      ch.close();
      srv.close();
    }
  });

  test('a pong that arrives in one segment with the next message keeps the connection alive', async () => {
    const clock = new FakeClock();
    const srv = await server();
    const ch = channel(clock, 30_000);
    const closed: (Error | undefined)[] = [];
    ch.events.on('closed', (_flow, error) => closed.push(error));
    try {
      await ch.connect({ host: '127.0.0.1', port: srv.port });
      await settle(20);
      const peer = srv.sockets[0]!;
      let pings = 0;
      peer.on('data', (b: Buffer) => {
        if (b.toString() !== '\r\n\r\n') return;
        // The first pong alone; later ones share a segment with a request, as a busy proxy sends them.
        peer.write(pings++ === 0 ? '\r\n' : `\r\n${request('OPTIONS')}`);
      });
      for (let i = 0; i < 3; i++) {
        clock.advance(30_000);
        await settle(50);
      }
      clock.advance(10_000); // the pong deadline of the last ping
      await settle(20);
      assert.equal(pings, 3);
      assert.deepEqual(closed, []);
    } finally {
      ch.close();
      srv.close();
    }
  });
});
