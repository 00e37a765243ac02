import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../src-main/integrations/webhook-signature.js';

/** One POST as the receiver saw it. */
export interface ReceivedPost {
  delivery: string;
  seq: number;
  event: string;
  agent: string;
  body: string;
  /** The body parsed (the event, as the runner prints it). */
  json: Record<string, unknown> & { event: string };
  /** The signature checked with the receiver's secret and the default 300 s replay window. */
  signature: { ok: boolean; reason?: string };
  /** What the receiver answered: 200, 503…, or null for a request it never answered. */
  answered: number | null;
  receivedAt: number;
}

/**
 * How the receiver behaves: `ok` answers 200, `unavailable` 503, `hang` never answers
 * (holds the request open until the client gives up), `late` takes each event (200) but
 * only after `lateMs` (after the client gave up: it sends the same delivery again), `down`
 * is no listener at all (the port is closed: connection refused).
 */
export type ReceiverMode = 'ok' | 'unavailable' | 'hang' | 'late' | 'down';

/**
 * A CRM's webhook endpoint on loopback (node:http): records every POST with its headers
 * and signature check, and can be switched between up, failing, hanging and down on the
 * same port. A real receiver deduplicates by delivery id; `accepted()` does the same.
 */
export class WebhookReceiver {
  readonly posts: ReceivedPost[] = [];
  #server: Server | undefined;
  #mode: ReceiverMode = 'down';
  #hanging = new Set<ServerResponse>();
  /** Mode `late`: how long before the 200. */
  lateMs = 1_000;

  private constructor(
    readonly port: number,
    private readonly secret: string,
  ) {}

  /** A receiver on `port` (0: any), starting in `mode`. */
  static async start(secret: string, mode: ReceiverMode, port = 0): Promise<WebhookReceiver> {
    // Find a port by listening once; `down` closes it again.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
    const chosen = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const r = new WebhookReceiver(chosen, secret);
    await r.setMode(mode);
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  get mode(): ReceiverMode {
    return this.#mode;
  }

  /** Requests held open right now (mode `hang`). */
  get hanging(): number {
    return this.#hanging.size;
  }

  async setMode(mode: ReceiverMode): Promise<void> {
    this.#mode = mode;
    if (mode !== 'hang') this.#releaseHanging();
    if (mode === 'down') return this.#close();
    if (this.#server) return;
    const server = createServer((req, res) => void this.#handle(req, res));
    server.keepAliveTimeout = 1_000;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', resolve));
    this.#server = server;
  }

  /** Deliveries answered 2xx, each delivery id once (a receiver's dedup), in the order first taken. */
  accepted(): ReceivedPost[] {
    const seen = new Set<string>();
    const out: ReceivedPost[] = [];
    for (const p of this.posts) {
      if (p.answered === null || p.answered < 200 || p.answered >= 300 || seen.has(p.delivery)) continue;
      seen.add(p.delivery);
      out.push(p);
    }
    return out;
  }

  async stop(): Promise<void> {
    this.#mode = 'down';
    this.#releaseHanging();
    await this.#close();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const header = (name: string): string => String(req.headers[name] ?? '');
    const check = verifyWebhook(this.secret, body, req.headers['x-linedesk-signature'] as string | undefined, Math.floor(Date.now() / 1000));
    let json: ReceivedPost['json'];
    try {
      json = JSON.parse(body) as ReceivedPost['json'];
    } catch {
      json = { event: '(not JSON)' };
    }
    const post: ReceivedPost = {
      delivery: header('x-linedesk-delivery'),
      seq: Number(header('x-linedesk-sequence')),
      event: header('x-linedesk-event'),
      agent: header('x-linedesk-agent'),
      body,
      json,
      signature: check.ok ? { ok: true } : { ok: false, reason: check.reason },
      answered: null,
      receivedAt: Date.now(),
    };
    this.posts.push(post);
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/json') return this.#answer(res, post, 400);
    if (this.#mode === 'hang') {
      this.#hanging.add(res);
      res.on('close', () => this.#hanging.delete(res));
      return;
    }
    if (this.#mode === 'late') {
      // Taken (a receiver that commits, then answers slowly): counted as accepted even if the client is gone.
      post.answered = check.ok ? 200 : 401;
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(post.answered!).end();
      }, this.lateMs);
      return;
    }
    this.#answer(res, post, this.#mode === 'ok' ? (check.ok ? 200 : 401) : 503);
  }

  #answer(res: ServerResponse, post: ReceivedPost, status: number): void {
    post.answered = status;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
  }

  #releaseHanging(): void {
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
  }

  async #close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
