import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { silentLogger } from '../../../src-main/common/logger.js';
import { startWebServer, type WebServer } from '../../../src-main/web/web-server.js';
import type { ServerMessage } from '../../../src-main/contract/ws-messages.js';
import { fakeDesk } from './fake-desk.js';

const token = 'a'.repeat(32);

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a socket; resolves with it once open, or with the HTTP status of a refused handshake. */
function connect(port: number, protocols: string[], headers: Record<string, string> = {}): Promise<{ ws: WebSocket; inbox: ServerMessage[] } | { refused: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, protocols, { headers: { Origin: `http://127.0.0.1:${port}`, ...headers } });
    const inbox: ServerMessage[] = [];
    ws.on('message', (d) => inbox.push(JSON.parse((d as Buffer).toString('utf8')) as ServerMessage));
    ws.on('open', () => resolve({ ws, inbox }));
    ws.on('unexpected-response', (_req, res) => resolve({ refused: res.statusCode ?? 0 }));
    ws.on('error', () => resolve({ refused: -1 }));
  });
}

async function until<T>(fn: () => T | undefined, ms = 2000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('browser-mode server', () => {
  const desk = fakeDesk();
  let server: WebServer;
  let port: number;
  const sockets: WebSocket[] = [];
  const open = async (protocols = ['linedesk.v1', `token.${token}`], headers: Record<string, string> = {}) => {
    const c = await connect(port, protocols, headers);
    if ('ws' in c) sockets.push(c.ws);
    return c;
  };
  const ask = async (c: { ws: WebSocket; inbox: ServerMessage[] }, msg: Record<string, unknown> & { id: number }): Promise<unknown> => {
    c.ws.send(JSON.stringify(msg));
    const reply = await until(() => c.inbox.find((m) => m.t === 'reply' && m.id === msg.id));
    return reply.t === 'reply' && 'value' in reply ? reply.value : reply;
  };

  before(async () => {
    const renderer = join(desk.dir, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>LineDesk</title>');
    writeFileSync(join(renderer, 'assets', 'index.js'), 'export {}');
    await desk.host.start();
    server = await startWebServer({ host: desk.host, rendererDir: renderer, token, port: 0, log: silentLogger });
    port = server.port;
  });
  after(async () => {
    for (const s of sockets) s.terminate();
    await server?.close();
    await desk.host.stop();
    desk.cleanup();
  });

  test('listens on 127.0.0.1 only', () => {
    assert.equal(server.origin, `http://127.0.0.1:${port}`);
  });

  test('serves the app with its MIME types and the CSP header', async () => {
    const page = await get(port, '/?window=dashboard');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    const js = await get(port, '/assets/index.js');
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  });

  test('refuses path traversal, other hosts (DNS rebinding) and other methods', async () => {
    assert.equal((await get(port, '/../config.json')).status, 400);
    assert.equal((await get(port, '/%2e%2e/%2e%2e/etc/passwd')).status, 400);
    assert.equal((await get(port, '/', { Host: `evil.example:${port}` })).status, 421);
    const post = await new Promise<number>((resolve) => request({ host: '127.0.0.1', port, path: '/', method: 'POST' }, (r) => resolve(r.statusCode ?? 0)).end());
    assert.equal(post, 405);
  });

  test('a WebSocket without the token, with a wrong one, or from another origin is refused', async () => {
    assert.deepEqual(await open(['linedesk.v1']), { refused: 401 });
    assert.deepEqual(await open(['linedesk.v1', `token.${'b'.repeat(32)}`]), { refused: 401 });
    assert.deepEqual(await open([`token.${token}`]), { refused: 401 });
    assert.deepEqual(await open(undefined, { Origin: 'https://evil.example' }), { refused: 403 });
  });

  test('with the token: hello gives the snapshot, commands are validated, events reach every tab', async () => {
    const a = await open();
    const b = await open();
    assert.ok('ws' in a && 'ws' in b);
    const hello = (await ask(a, { t: 'hello', id: 1, kind: 'line', line: 'l1' })) as { kind: string; snapshot: { event: string }[] };
    assert.equal(hello.kind, 'line');
    assert.ok(hello.snapshot.some((e) => e.event === 'line.state'));
    await ask(b, { t: 'hello', id: 1, kind: 'dashboard' });

    assert.deepEqual(await ask(a, { t: 'command', id: 2, command: { cmd: 'accept', line: 'l1' } }), { ok: true });
    const refused = (await ask(a, { t: 'command', id: 3, command: { cmd: 'accept', line: 'l1', evil: 1 } })) as { ok: boolean };
    assert.equal(refused.ok, false);
    assert.deepEqual(desk.cores[0]!.executed, [{ cmd: 'accept', line: 'l1' }], 'only the valid command reached the core');

    desk.cores[0]!.emit({ event: 'call.offered', call: 'c1', line: 'l1', from: '100', to: '300', attempt: 1 });
    for (const c of [a, b]) await until(() => c.inbox.find((m) => m.t === 'event' && m.event.event === 'call.offered'));
  });

  test('a line window for a line that does not exist is refused at hello', async () => {
    const c = await open();
    assert.ok('ws' in c);
    const reply = (await ask(c, { t: 'hello', id: 7, kind: 'line', line: 'nope' })) as { error?: string };
    assert.match(String(reply.error), /no line "nope"/);
  });

  test('garbage is answered with an error and the connection stays usable', async () => {
    const c = await open();
    assert.ok('ws' in c);
    c.ws.send('not json');
    c.ws.send(JSON.stringify({ t: 'shell', id: 1, cmd: 'rm -rf /' }));
    await until(() => (c.inbox.filter((m) => m.t === 'error').length >= 2 ? true : undefined));
    await ask(c, { t: 'hello', id: 8, kind: 'dashboard' });
    assert.deepEqual(await ask(c, { t: 'command', id: 9, command: { cmd: 'status' } }), { ok: true });
  });

  test('the same checks as the desktop IPC: nothing before hello, settings for the settings window only', async () => {
    const c = await open();
    assert.ok('ws' in c);
    const executed = desk.cores[0]!.executed.length;
    for (const [id, msg] of [
      [20, { t: 'command', command: { cmd: 'status' } }],
      [21, { t: 'settings.get' }],
      [22, { t: 'settings.save', settings: {} }],
    ] as const) {
      assert.deepEqual(await ask(c, { ...msg, id }), { t: 'reply', id, error: 'refused: say hello first' });
    }
    await ask(c, { t: 'hello', id: 23, kind: 'line', line: 'l1' });
    assert.deepEqual(await ask(c, { t: 'settings.get', id: 24 }), { t: 'reply', id: 24, error: 'refused: settings are only available to the settings window' });
    assert.equal(desk.cores[0]!.executed.length, executed, 'nothing reached the core');
    await ask(c, { t: 'hello', id: 25, kind: 'settings' });
    const view = (await ask(c, { t: 'settings.get', id: 26 })) as { registrar?: { uri: string } };
    assert.equal(view.registrar?.uri, 'sip:127.0.0.1:5060');
  });
});
