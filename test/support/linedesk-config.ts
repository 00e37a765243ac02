import type { LineConfig } from '../../src-main/config/schema.js';
import type { Kamailio } from './kamailio.js';

export type Protocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export interface TestLine {
  id: string;
  ext: string;
  protocol?: Protocol;
  autoAnswerMs?: number;
  maxCalls?: number;
  password?: string;
  /** The line's own media settings (mode, devices, DTMF). */
  media?: NonNullable<LineConfig['media']>;
  /** The q-value of its registered Contact. */
  q?: number;
  /** The line's own registrar; by default the test Kamailio's port for the line's protocol. */
  registrar?: { uri: string; backups?: string[] };
  /** Service lines: REFER targets the line may call (lines[].allowReferTo). */
  allowReferTo?: string[];
}

/** The URI of the test Kamailio for a protocol (each listens on its own port). */
export function registrarUri(k: Pick<Kamailio, 'udpPort' | 'tcpPort' | 'tlsPort' | 'wsPort' | 'wssPort'>, protocol: Protocol): string {
  switch (protocol) {
    case 'udp':
      return `sip:127.0.0.1:${k.udpPort}`;
    case 'tcp':
      return `sip:127.0.0.1:${k.tcpPort};transport=tcp`;
    case 'tls':
      return `sip:127.0.0.1:${k.tlsPort};transport=tls`;
    case 'ws':
      return `sip:127.0.0.1:${k.wsPort};transport=ws`;
    case 'wss':
      return `sip:127.0.0.1:${k.wssPort};transport=ws`;
  }
}

/**
 * A runner config for the test Kamailio: every line uses the registrar port of its own
 * protocol; RTP ports stay out of the range sipp's media ports are taken from.
 */
export function runnerConfig(
  k: Kamailio,
  lines: TestLine[],
  extra: { caFile?: string; timers?: Record<string, number>; registrarUri?: string; backups?: string[]; dispatch?: object; agent?: object; store?: object; media?: object } = {},
): object {
  const protocols = [...new Set(lines.map((l) => l.protocol ?? 'udp'))];
  const first = protocols[0]!;
  return {
    transport: protocols.map((p) => ({ protocol: p, bind: '127.0.0.1:0' })),
    registrar: { uri: extra.registrarUri ?? registrarUri(k, first), backups: extra.backups ?? [] },
    lines: lines.map((l) => {
      const p = l.protocol ?? 'udp';
      return {
        id: l.id,
        aor: `sip:${l.ext}@127.0.0.1`,
        username: l.ext,
        password: l.password ?? 'secret',
        transport: p,
        ...(l.registrar ? { registrar: l.registrar } : p !== first && !extra.registrarUri ? { registrar: { uri: registrarUri(k, p) } } : {}),
        ...(l.autoAnswerMs !== undefined ? { autoAnswerMs: l.autoAnswerMs } : {}),
        ...(l.maxCalls !== undefined ? { maxCalls: l.maxCalls } : {}),
        ...(l.media ? { media: l.media } : {}),
        ...(l.q !== undefined ? { q: l.q } : {}),
        ...(l.allowReferTo ? { allowReferTo: l.allowReferTo } : {}),
      };
    }),
    timers: { retryMinMs: 200, retryMaxMs: 2000, heartbeatMs: 1000, unregisterTimeoutMs: 1000, keepAliveMs: 5000, ...extra.timers },
    media: { address: '127.0.0.1', rtpPortMin: 40000, rtpPortMax: 49999, audio: 'null', ...extra.media },
    // Tests that are about wrap-up ask for it; the others must not see lines paused after a call.
    agent: { wrapupSeconds: 0, ...extra.agent },
    store: { path: ':memory:', ...extra.store },
    ...(extra.caFile ? { tls: { caFile: extra.caFile } } : {}),
    ...(extra.dispatch ? { dispatch: extra.dispatch } : {}),
  };
}
