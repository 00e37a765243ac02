import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../common/logger.js';
import { tokensEqual } from './access-token.js';
import { securityHeaders } from '../desk/content-security-policy.js';
import type { DeskHost } from '../desk/desk-host.js';
import { resolveStaticFile } from '../desk/static-files.js';
import { WindowConnection } from './window-connection.js';
import { tokenSubprotocolPrefix, wsPath, wsSubprotocol } from '../contract/ipc-contract.js';

export interface WebServerOptions {
  host: DeskHost;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  token: string;
  /** 0 picks a free port. */
  port: number;
  log: Logger;
}

export interface WebServer {
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

/**
 * Browser mode's server, on 127.0.0.1 only: the built renderer as static files (with the
 * CSP and the other security headers) and the LineDeskApi over a WebSocket at /ws, for
 * clients that present the run's token. Requests naming another Host are refused (DNS
 * rebinding), WebSockets from another Origin too.
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20, handleProtocols: (offered) => (offered.has(wsSubprotocol) ? wsSubprotocol : false) });
  const sockets = new Set<Duplex>();
  let port = 0;
  const allowedHosts = (): string[] => [`${LOOPBACK}:${port}`, `localhost:${port}`];

  const server = createServer((req, res) => {
    if (!allowedHosts().includes(req.headers.host ?? '')) return refuse(res, 421, 'misdirected request');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed');
    serveStatic(opts.rendererDir, req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket, head) => {
    const verdict = checkUpgrade(req, opts.token, allowedHosts());
    if (verdict !== 'ok') {
      opts.log.warn('refused a WebSocket connection', { reason: verdict, origin: req.headers.origin });
      socket.end(`HTTP/1.1 ${verdict === 'not found' ? '404 Not Found' : verdict === 'forbidden' ? '403 Forbidden' : '401 Unauthorized'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => new WindowConnection(ws, opts.host, opts.log.child('ws')));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: opts.port }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://${LOOPBACK}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

type UpgradeVerdict = 'ok' | 'not found' | 'forbidden' | 'unauthorized';

/** The WebSocket handshake's checks: path, Host, Origin, and the token subprotocol. */
export function checkUpgrade(req: Pick<IncomingMessage, 'url' | 'headers'>, token: string, allowedHosts: string[]): UpgradeVerdict {
  if ((req.url ?? '').split('?', 1)[0] !== wsPath) return 'not found';
  const host = req.headers.host ?? '';
  if (!allowedHosts.includes(host)) return 'forbidden';
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedHosts.some((h) => origin === `http://${h}`)) return 'forbidden';
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim());
  const given = offered.find((p) => p.startsWith(tokenSubprotocolPrefix))?.slice(tokenSubprotocolPrefix.length);
  if (given === undefined || !tokensEqual(token, given) || !offered.includes(wsSubprotocol)) return 'unauthorized';
  return 'ok';
}

function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): void {
  const found = resolveStaticFile(root, req.url ?? '/');
  if (!found.ok) return refuse(res, found.status, found.status === 404 ? 'not found' : 'bad request');
  res.writeHead(200, {
    ...securityHeaders(),
    'Content-Type': found.type,
    'Cache-Control': found.file.endsWith('.html') ? 'no-store' : 'max-age=3600',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(found.file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}
