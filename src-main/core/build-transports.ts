import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { LineDeskConfig } from '../config/schema.js';
import type { ConnectionChannel } from '../sip/transport/connection-channel.js';
import type { Peer, SipProtocol } from '../sip/transport/flow.js';
import { StreamChannel } from '../sip/transport/stream-channel.js';
import { UdpChannel } from '../sip/transport/udp-channel.js';
import { WsChannel } from '../sip/transport/ws-channel.js';

export interface Transports {
  udp?: UdpChannel;
  connections: Partial<Record<SipProtocol, ConnectionChannel>>;
  close(): void;
}

export function parseHostPort(s: string): Peer {
  const m = /^(\[([0-9a-fA-F:.]+)\]|([^:]+)):(\d+)$/.exec(s);
  if (!m) throw new Error(`bad address ${s}`);
  return { host: m[2] ?? m[3]!, port: Number(m[4]) };
}

/** Creates one socket owner per configured protocol; every line of that protocol shares it. */
export function buildTransports(config: LineDeskConfig, baseDir: string, clock: Clock, log: Logger): Transports {
  const out: Transports = { connections: {}, close: () => {} };
  const { timers, limits, tls } = config;
  const file = (p: string | undefined): Buffer | undefined => (p ? readFileSync(resolve(baseDir, p)) : undefined);
  const tlsOptions = {
    ...(tls.caFile ? { ca: file(tls.caFile)! } : {}),
    ...(tls.certFile ? { cert: file(tls.certFile)! } : {}),
    ...(tls.keyFile ? { key: file(tls.keyFile)! } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
    rejectUnauthorized: tls.rejectUnauthorized,
  };
  for (const t of config.transport) {
    const bind = parseHostPort(t.bind);
    const l = log.child(t.protocol);
    switch (t.protocol) {
      case 'udp':
        out.udp = new UdpChannel(bind, l);
        break;
      case 'tcp':
      case 'tls':
        out.connections[t.protocol] = new StreamChannel(
          {
            protocol: t.protocol,
            bind,
            connectTimeoutMs: timers.connectTimeoutMs,
            keepAliveMs: timers.keepAliveMs,
            limits: { maxHeaderBytes: limits.maxHeaderBytes, maxBodyBytes: limits.maxMessageBytes },
            ...(t.protocol === 'tls' ? { tls: tlsOptions } : {}),
          },
          clock,
          l,
        );
        break;
      case 'ws':
      case 'wss':
        out.connections[t.protocol] = new WsChannel(
          {
            protocol: t.protocol,
            path: t.path,
            connectTimeoutMs: timers.connectTimeoutMs,
            keepAliveMs: timers.keepAliveMs,
            maxMessageBytes: limits.maxMessageBytes,
            ...(t.protocol === 'wss' ? { tls: tlsOptions } : {}),
          },
          clock,
          l,
        );
        break;
    }
  }
  out.close = () => {
    out.udp?.close();
    for (const c of Object.values(out.connections)) c.close();
  };
  return out;
}
