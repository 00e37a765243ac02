// Proves the real-peer harness with peers only (no LineDesk code): Kamailio as registrar and
// forking proxy, sipp as devices and callers, and raw UDP/TLS/WS clients written here.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { latencyFromLog, runSipp, startDevice, type Device } from '../support/sipp.js';

const skip = peerSkipReason('kamailio', 'kamcmd', 'sipp', 'openssl', 'timeout');

/** Messages from one SIP connection, awaited in order of arrival. */
class SipInbox {
  #queue: string[] = [];
  #waiters: { match: (m: string) => boolean; resolve: (m: string) => void }[] = [];

  push(message: string): void {
    const index = this.#waiters.findIndex((w) => w.match(message));
    const waiter = index >= 0 ? this.#waiters.splice(index, 1)[0] : undefined;
    if (waiter !== undefined) waiter.resolve(message);
    else this.#queue.push(message);
  }

  next(match: (m: string) => boolean, timeoutMs = 3_000): Promise<string> {
    const index = this.#queue.findIndex(match);
    if (index >= 0) return Promise.resolve(this.#queue.splice(index, 1)[0] ?? '');
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: string) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no matching SIP message within ${timeoutMs} ms; queued: ${this.#queue.join('\n---\n')}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }
}

const isFinalResponseTo = (method: string) => (m: string) =>
  /^SIP\/2\.0 [2-6]\d\d /.test(m) && new RegExp(`^CSeq: \\d+ ${method}\\r?$`, 'mi').test(m);

function header(message: string, name: string): string {
  const match = new RegExp(`^${name}:\\s*(.*?)\\r?$`, 'mi').exec(message);
  assert.ok(match?.[1] !== undefined, `no ${name} header in:\n${message}`);
  return match[1];
}

function statusCode(message: string): number {
  return Number(/^SIP\/2\.0 (\d{3})/.exec(message)?.[1]);
}

/** An Authorization header answering a Digest challenge (RFC 2617 / RFC 7616, qop=auth when offered). */
function digestAuthorization(challenge: string, method: string, uri: string, user: string, password: string): string {
  const params = new Map([...challenge.matchAll(/(\w+)="?([^",]*)"?/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
  const algorithm = params.get('algorithm') ?? 'MD5';
  const hash = (s: string): string => createHash(algorithm === 'SHA-256' ? 'sha256' : 'md5').update(s).digest('hex');
  const realm = params.get('realm') ?? '';
  const nonce = params.get('nonce') ?? '';
  const ha1 = hash(`${user}:${realm}:${password}`);
  const ha2 = hash(`${method}:${uri}`);
  let value = `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", algorithm=${algorithm}`;
  if (params.get('qop')?.split(',').includes('auth')) {
    const cnonce = randomBytes(8).toString('hex');
    value += `, qop=auth, nc=00000001, cnonce="${cnonce}", response="${hash(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`)}"`;
  } else {
    value += `, response="${hash(`${ha1}:${nonce}:${ha2}`)}"`;
  }
  return `Authorization: ${value}`;
}

interface RequestParts {
  method: 'REGISTER' | 'OPTIONS';
  transport: 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';
  viaHost: string;
  user: string;
  callId: string;
  cseq: number;
  contact?: string;
  extraHeaders?: string[];
}

function request(p: RequestParts): string {
  const ruri = 'sip:127.0.0.1';
  return [
    `${p.method} ${ruri} SIP/2.0`,
    `Via: SIP/2.0/${p.transport} ${p.viaHost};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
    `From: <sip:${p.user}@127.0.0.1>;tag=${p.callId}`,
    `To: <sip:${p.user}@127.0.0.1>`,
    `Call-ID: ${p.callId}`,
    `CSeq: ${p.cseq} ${p.method}`,
    ...(p.contact === undefined ? [] : [`Contact: ${p.contact}`, 'Expires: 60']),
    ...(p.extraHeaders ?? []),
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** REGISTER, answer the 401 with credentials, expect 200. Returns the 401 and the 200. */
async function registerWithDigest(
  send: (text: string) => void,
  inbox: SipInbox,
  parts: Omit<RequestParts, 'method' | 'cseq'>,
  password: string,
): Promise<{ challenge: string; ok: string }> {
  send(request({ ...parts, method: 'REGISTER', cseq: 1 }));
  const challenge = await inbox.next(isFinalResponseTo('REGISTER'));
  assert.equal(statusCode(challenge), 401, challenge);
  const authorization = digestAuthorization(header(challenge, 'WWW-Authenticate'), 'REGISTER', 'sip:127.0.0.1', parts.user, password);
  send(request({ ...parts, method: 'REGISTER', cseq: 2, extraHeaders: [authorization] }));
  const ok = await inbox.next(isFinalResponseTo('REGISTER'));
  assert.equal(statusCode(ok), 200, ok);
  return { challenge, ok };
}

async function udpClient(): Promise<{ send: (text: string, port: number) => void; inbox: SipInbox; port: number; close: () => void }> {
  const socket = createSocket('udp4');
  const inbox = new SipInbox();
  socket.on('message', (msg) => inbox.push(msg.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    send: (text, port) => socket.send(text, port, '127.0.0.1'),
    inbox,
    port: socket.address().port,
    close: () => socket.close(),
  };
}

/** Splits a TCP/TLS byte stream into SIP messages by Content-Length. */
function streamInbox(socket: Socket): SipInbox {
  const inbox = new SipInbox();
  let buffered = '';
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (;;) {
      const headerEnd = buffered.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/^(?:Content-Length|l):\s*(\d+)/im.exec(buffered.slice(0, headerEnd))?.[1] ?? 0);
      const end = headerEnd + 4 + length;
      if (buffered.length < end) return;
      inbox.push(buffered.slice(0, end));
      buffered = buffered.slice(end);
    }
  });
  return inbox;
}

async function openTcp(port: number): Promise<{ socket: Socket; inbox: SipInbox }> {
  const socket = netConnect({ host: '127.0.0.1', port });
  const inbox = streamInbox(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, inbox };
}

/**
 * Places a sipp call to `service` and expects its INVITE on this client's connection (the
 * proof that Kamailio reached the client through it); answers 486 and checks the caller saw it.
 */
async function expectForkedInviteAndReject(target: string, service: string, send: (text: string) => void, inbox: SipInbox): Promise<void> {
  const call = runSipp({ scenario: 'uac-final.xml', target, service, timeoutMs: 8_000 });
  const invite = await inbox.next((m) => m.startsWith('INVITE '), 5_000);
  const vias = invite.split('\r\n').filter((l) => /^Via:/i.test(l));
  send(
    [
      'SIP/2.0 486 Busy Here',
      ...vias,
      `From: ${header(invite, 'From')}`,
      `To: ${header(invite, 'To')};tag=busy486`,
      `Call-ID: ${header(invite, 'Call-ID')}`,
      `CSeq: ${header(invite, 'CSeq')}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  const result = await call;
  assert.match(result.log.find((l) => l.startsWith('FINAL ')) ?? '', /^FINAL \S+ 486$/, result.errors);
}

async function openWebSocket(url: string, ca?: string): Promise<{ ws: WebSocket; inbox: SipInbox }> {
  const ws = new WebSocket(url, 'sip', ca === undefined ? {} : { ca });
  const inbox = new SipInbox();
  ws.on('message', (data) => inbox.push((data as Buffer).toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  assert.equal(ws.protocol, 'sip');
  return { ws, inbox };
}

async function stopDevice(device: Device): Promise<void> {
  device.kill();
  await device.done;
}

describe('real-peer harness: Kamailio with digest auth', { skip, timeout: 180_000 }, () => {
  let kamailio: Kamailio;
  let target: string;

  before(async () => {
    kamailio = await startKamailio({ auth: true });
    target = `127.0.0.1:${kamailio.udpPort}`;
  });

  after(async () => {
    await kamailio?.stop();
  });

  test('a sipp device registers with digest auth, is listed, and un-registers at the end of its life', { timeout: 20_000 }, async () => {
    const device = startDevice({ target, user: '200', password: 'secret', lifeMs: 1_500 });
    await device.registered;
    const contacts = await kamailio.contacts('200');
    assert.equal(contacts.length, 1, `contacts of 200: ${contacts.join(', ')}`);
    assert.match(contacts[0] ?? '', /^sip:200@127\.0\.0\.1:\d+;transport=UDP$/i);
    const result = await device.done;
    assert.equal(result.exitCode, 0, result.errors + result.stdout);
    assert.ok(result.log.some((line) => line.startsWith('UNREGISTERED 200')), result.log.join('\n'));
    assert.deepEqual(await kamailio.contacts('200'), []);
  });

  test('a caller on the trusted trunk (127.0.0.2) reaches a registered device and logs its setup time', { timeout: 30_000 }, async () => {
    const device = startDevice({ target, user: '201', password: 'secret', lifeMs: 15_000, ringMs: 200 });
    try {
      await device.registered;
      const call = await runSipp({ scenario: 'uac-call.xml', target, service: '201', durationMs: 300, timeoutMs: 10_000 });
      assert.equal(call.exitCode, 0, call.errors + call.stdout);
      assert.equal(call.successful, 1);
      assert.equal(call.failed, 0);
      const setup = /^SETUP \S+ ([\d.]+)$/.exec(call.log.find((l) => l.startsWith('SETUP')) ?? '');
      assert.ok(setup, `no SETUP line in ${call.log.join('\n')}`);
      const setupMs = Number(setup[1]);
      assert.ok(setupMs >= 150 && setupMs < 2_000, `setup took ${setupMs} ms with a 200 ms ring`);
    } finally {
      await stopDevice(device);
    }
    const deviceLog = (await device.done).log;
    for (const event of ['INVITE', 'ANSWERED', 'BYE-RECEIVED']) {
      assert.ok(deviceLog.some((l) => l.startsWith(`${event} `)), `device log lacks ${event}: ${deviceLog.join('\n')}`);
    }
  });

  test('a call to an unregistered extension ends with 404, reported by uac-final', { timeout: 15_000 }, async () => {
    const call = await runSipp({ scenario: 'uac-final.xml', target, service: '219', timeoutMs: 8_000 });
    assert.equal(call.exitCode, 0, call.errors + call.stdout);
    const final = call.log.find((l) => l.startsWith('FINAL '));
    assert.match(final ?? '', /^FINAL \S+ (404|480)$/);
  });

  test('a caller from 127.0.0.1 (not the trunk) is challenged with 407', { timeout: 15_000 }, async () => {
    const call = await runSipp({ scenario: 'uac-final.xml', target, service: '219', localIp: '127.0.0.1', timeoutMs: 8_000 });
    assert.match(call.log.find((l) => l.startsWith('FINAL ')) ?? '', /^FINAL \S+ 407$/);
  });

  test('a device can reject (486) and uac-final logs the provisional and final codes', { timeout: 20_000 }, async () => {
    const device = startDevice({ target, user: '202', password: 'secret', lifeMs: 10_000, ringMs: 100, finalCode: 486 });
    try {
      await device.registered;
      const call = await runSipp({ scenario: 'uac-final.xml', target, service: '202', timeoutMs: 8_000 });
      assert.ok(call.log.some((l) => /^PROV \S+ 180$/.test(l)), call.log.join('\n'));
      assert.match(call.log.find((l) => l.startsWith('FINAL ')) ?? '', /^FINAL \S+ 486$/);
    } finally {
      await stopDevice(device);
    }
  });

  test('uac-cancel CANCELs a ringing call: 487, and the device sees the caller\'s Reason', { timeout: 20_000 }, async () => {
    const device = startDevice({ target, user: '203', password: 'secret', lifeMs: 10_000, ringMs: 5_000 });
    try {
      await device.registered;
      const call = await runSipp({ scenario: 'uac-cancel.xml', target, service: '203', vars: { cancel_after: '300' }, timeoutMs: 8_000 });
      assert.equal(call.exitCode, 0, call.errors + call.stdout);
      assert.match(call.log.find((l) => l.startsWith('FINAL ')) ?? '', /^FINAL \S+ 487$/);
    } finally {
      await stopDevice(device);
    }
    const cancelled = (await device.done).log.find((l) => l.startsWith('CANCELLED '));
    assert.match(cancelled ?? '', /Reason: SIP;cause=487/);
  });

  test('600 rings 200-202 in parallel; the loser gets CANCEL with cause=200', { timeout: 25_000 }, async () => {
    const slow = startDevice({ target, user: '200', password: 'secret', lifeMs: 12_000, ringMs: 4_000 });
    const fast = startDevice({ target, user: '202', password: 'secret', lifeMs: 12_000, ringMs: 300 });
    try {
      await Promise.all([slow.registered, fast.registered]);
      const call = await runSipp({ scenario: 'uac-final.xml', target, service: '600', durationMs: 200, timeoutMs: 10_000 });
      assert.match(call.log.find((l) => l.startsWith('FINAL ')) ?? '', /^FINAL \S+ 200$/);
    } finally {
      await Promise.all([stopDevice(slow), stopDevice(fast)]);
    }
    const slowLog = (await slow.done).log;
    assert.match(slowLog.find((l) => l.startsWith('CANCELLED ')) ?? '', /cause=200/, slowLog.join('\n'));
    assert.ok((await fast.done).log.some((l) => l.startsWith('ANSWERED ')));
  });

  test('uac-expect-bye succeeds when the callee hangs up', { timeout: 20_000 }, async () => {
    const device = startDevice({ target, user: '204', password: 'secret', lifeMs: 10_000, talkMs: 500 });
    try {
      await device.registered;
      const call = await runSipp({ scenario: 'uac-expect-bye.xml', target, service: '204', timeoutMs: 8_000 });
      assert.equal(call.exitCode, 0, call.errors + call.stdout);
      assert.ok(call.log.some((l) => l.startsWith('BYE-RECEIVED ')), call.log.join('\n'));
    } finally {
      await stopDevice(device);
    }
    assert.ok((await device.done).log.some((l) => l.startsWith('HUNGUP ')));
  });

  test('uac-latency logs gettimeofday pairs that latencyFromLog turns into ms', { timeout: 20_000 }, async () => {
    const device = startDevice({ target, user: '205', password: 'secret', lifeMs: 10_000 });
    try {
      await device.registered;
      const run = await runSipp({ scenario: 'uac-latency.xml', target, service: '205', calls: 5, rate: 10, timeoutMs: 8_000 });
      assert.equal(run.successful, 5, run.errors + run.stdout);
      const { inv180, inv200 } = latencyFromLog(run.log);
      assert.equal(inv200.length, 5);
      assert.ok(inv180.length >= 4);
      for (const ms of [...inv180, ...inv200]) assert.ok(ms > 0 && ms < 500, `latency ${ms} ms`);
    } finally {
      await stopDevice(device);
    }
  });

  test('a sipp device on TCP registers and is called over TCP', { timeout: 20_000 }, async () => {
    const device = startDevice({ target, user: '206', password: 'secret', lifeMs: 10_000, transport: 't1' });
    try {
      await device.registered;
      const contacts = await kamailio.contacts('206');
      assert.match(contacts[0] ?? '', /transport=TCP/i);
      const call = await runSipp({ scenario: 'uac-call.xml', target, service: '206', durationMs: 200, timeoutMs: 8_000 });
      assert.equal(call.successful, 1, call.errors + call.stdout);
    } finally {
      await stopDevice(device);
    }
  });

  test('a TCP client whose Contact names another port gets its INVITE over its own connection', { timeout: 20_000 }, async () => {
    const { socket, inbox } = await openTcp(kamailio.tcpPort);
    try {
      // 5999: a "listening port" nobody listens on; only the client's connection reaches it
      const contact = '<sip:211@127.0.0.1:5999;transport=tcp>';
      const parts = { transport: 'TCP' as const, viaHost: '127.0.0.1:5999', user: '211', callId: `tcp-${randomBytes(4).toString('hex')}`, contact };
      await registerWithDigest((text) => socket.write(text), inbox, parts, 'secret');
      assert.deepEqual(await kamailio.contacts('211'), ['sip:211@127.0.0.1:5999;transport=tcp']);
      await expectForkedInviteAndReject(target, '211', (text) => socket.write(text), inbox);
    } finally {
      socket.destroy();
    }
  });

  test('a TCP client that answers gets the ACK and BYE over its own connection, not at its Contact', { timeout: 20_000 }, async () => {
    const { socket, inbox } = await openTcp(kamailio.tcpPort);
    try {
      const contact = '<sip:214@127.0.0.1:5999;transport=tcp>';
      const parts = { transport: 'TCP' as const, viaHost: '127.0.0.1:5999', user: '214', callId: `tcp-${randomBytes(4).toString('hex')}`, contact };
      await registerWithDigest((text) => socket.write(text), inbox, parts, 'secret');

      const call = runSipp({ scenario: 'uac-call.xml', target, service: '214', durationMs: 200, timeoutMs: 8_000 });
      const invite = await inbox.next((m) => m.startsWith('INVITE '), 5_000);
      const sdp = 'v=0\r\no=tcp 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5996 RTP/AVP 0\r\n';
      socket.write(
        [
          'SIP/2.0 200 OK',
          ...invite.split('\r\n').filter((l) => /^(Via|Record-Route):/i.test(l)),
          `From: ${header(invite, 'From')}`,
          `To: ${header(invite, 'To')};tag=tcp200`,
          `Call-ID: ${header(invite, 'Call-ID')}`,
          `CSeq: ${header(invite, 'CSeq')}`,
          `Contact: ${contact}`,
          'Content-Type: application/sdp',
          `Content-Length: ${sdp.length}`,
          '',
          sdp,
        ].join('\r\n'),
      );
      await inbox.next((m) => m.startsWith('ACK '), 5_000);
      const bye = await inbox.next((m) => m.startsWith('BYE '), 5_000);
      socket.write(
        [
          'SIP/2.0 200 OK',
          ...bye.split('\r\n').filter((l) => /^Via:/i.test(l)),
          `From: ${header(bye, 'From')}`,
          `To: ${header(bye, 'To')}`,
          `Call-ID: ${header(bye, 'Call-ID')}`,
          `CSeq: ${header(bye, 'CSeq')}`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
      const result = await call;
      assert.equal(result.successful, 1, result.errors + result.stdout);
    } finally {
      socket.destroy();
    }
  });

  test('a WebSocket client (subprotocol sip, .invalid Contact) registers and receives the forked INVITE', { timeout: 20_000 }, async () => {
    const { ws, inbox } = await openWebSocket(`ws://127.0.0.1:${kamailio.wsPort}`);
    try {
      const contact = '<sip:207@k3x9q2.invalid;transport=ws>';
      const parts = { transport: 'WS' as const, viaHost: 'k3x9q2.invalid', user: '207', callId: `ws-${randomBytes(4).toString('hex')}`, contact };
      await registerWithDigest((text) => ws.send(text), inbox, parts, 'secret');
      assert.deepEqual(await kamailio.contacts('207'), ['sip:207@k3x9q2.invalid;transport=ws']);

      await expectForkedInviteAndReject(target, '207', (text) => ws.send(text), inbox);
    } finally {
      ws.close();
    }
  });

  test('the TLS listener presents a certificate for 127.0.0.1 signed by caCertPem; a TLS client gets its INVITE over TLS', { timeout: 20_000 }, async () => {
    const socket = tlsConnect({ host: '127.0.0.1', port: kamailio.tlsPort, ca: kamailio.caCertPem });
    const inbox = streamInbox(socket);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      });
      assert.equal(socket.authorized, true);
      socket.write(request({ method: 'OPTIONS', transport: 'TLS', viaHost: '127.0.0.1:5998', user: 'ping', callId: 'tls-options', cseq: 1 }));
      assert.equal(statusCode(await inbox.next(isFinalResponseTo('OPTIONS'))), 200);

      const contact = '<sip:212@127.0.0.1:5998;transport=tls>';
      const parts = { transport: 'TLS' as const, viaHost: '127.0.0.1:5998', user: '212', callId: `tls-${randomBytes(4).toString('hex')}`, contact };
      await registerWithDigest((text) => socket.write(text), inbox, parts, 'secret');
      await expectForkedInviteAndReject(target, '212', (text) => socket.write(text), inbox);
    } finally {
      socket.destroy();
    }
  });

  test('the WSS listener accepts a WebSocket with the test CA; a WSS client registers and gets its INVITE', { timeout: 20_000 }, async () => {
    const { ws, inbox } = await openWebSocket(`wss://127.0.0.1:${kamailio.wssPort}`, kamailio.caCertPem);
    try {
      const contact = '<sip:213@w2.invalid;transport=wss>';
      const parts = { transport: 'WSS' as const, viaHost: 'w2.invalid', user: '213', callId: `wss-${randomBytes(4).toString('hex')}`, contact };
      await registerWithDigest((text) => ws.send(text), inbox, parts, 'secret');
      await expectForkedInviteAndReject(target, '213', (text) => ws.send(text), inbox);
    } finally {
      ws.close();
    }
  });

  test('stop() + start() keeps the ports and empties usrloc', { timeout: 30_000 }, async () => {
    const client = await udpClient();
    try {
      const parts = { transport: 'UDP' as const, viaHost: `127.0.0.1:${client.port}`, user: '209', callId: 'restart-reg', contact: `<sip:209@127.0.0.1:${client.port}>` };
      await registerWithDigest((text) => client.send(text, kamailio.udpPort), client.inbox, parts, 'secret');
      assert.equal((await kamailio.contacts('209')).length, 1);
      const ports = [kamailio.udpPort, kamailio.tlsPort, kamailio.wsPort, kamailio.wssPort];
      await kamailio.stop();
      await kamailio.start();
      assert.deepEqual([kamailio.udpPort, kamailio.tlsPort, kamailio.wsPort, kamailio.wssPort], ports);
      assert.deepEqual(await kamailio.contacts('209'), []);
      assert.match(kamailio.log(), /kamailio run 2/);
    } finally {
      client.close();
    }
  });
});

describe('real-peer harness: SHA-256 digest', { skip, timeout: 30_000 }, () => {
  let kamailio: Kamailio;

  before(async () => {
    kamailio = await startKamailio({ auth: true, authAlgorithm: 'SHA-256' });
  });

  after(async () => {
    await kamailio?.stop();
  });

  test('a REGISTER is challenged with algorithm=SHA-256 and accepted with a SHA-256 response', { timeout: 10_000 }, async () => {
    const client = await udpClient();
    try {
      const parts = { transport: 'UDP' as const, viaHost: `127.0.0.1:${client.port}`, user: '300', callId: 'sha256-reg', contact: `<sip:300@127.0.0.1:${client.port}>` };
      const { challenge } = await registerWithDigest((text) => client.send(text, kamailio.udpPort), client.inbox, parts, 'secret');
      assert.match(header(challenge, 'WWW-Authenticate'), /algorithm=SHA-256/);
      assert.equal((await kamailio.contacts('300')).length, 1);
    } finally {
      client.close();
    }
  });
});
