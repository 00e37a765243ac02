import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../../../src-main/common/clock.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import { StreamChannel } from '../../../src-main/sip/transport/stream-channel.js';
import { createTestCertificates, peerSkipReason, type TestCertificates } from '../../support/kamailio.js';

/** A TLS server on 127.0.0.1 whose certificate names only DNS:pbx.example.test; what SNI it was sent. */
describe('StreamChannel TLS identity', { skip: peerSkipReason('openssl') }, () => {
  let dir = '';
  let certs: TestCertificates;
  let server: tls.Server;
  let port = 0;
  const sni: (string | false)[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'linedesk-tls-'));
    certs = await createTestCertificates(dir, 'DNS:pbx.example.test');
    server = tls.createServer({ cert: certs.serverCertPem, key: certs.serverKeyPem }, (s) => {
      sni.push((s as tls.TLSSocket & { servername: string | false }).servername);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const channel = (servername?: string): StreamChannel =>
    new StreamChannel(
      { protocol: 'tls', bind: { host: '127.0.0.1', port: 0 }, connectTimeoutMs: 2_000, keepAliveMs: 0, limits: { maxHeaderBytes: 32_768, maxBodyBytes: 65_536 }, tls: { ca: certs.caCertPem, rejectUnauthorized: true, ...(servername ? { servername } : {}) } },
      systemClock,
      silentLogger,
    );

  test('connects to the address, checks the name it came from, and sends it as SNI', async () => {
    const ch = channel();
    try {
      const flow = await ch.connect({ host: '127.0.0.1', port, servername: 'pbx.example.test' });
      assert.equal(flow.remote.host, '127.0.0.1');
      for (let i = 0; i < 50 && sni.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(sni.at(-1), 'pbx.example.test');
    } finally {
      ch.close();
    }
  });

  test('a name the certificate does not carry fails with an error naming the certificate problem', async () => {
    const ch = channel();
    try {
      await assert.rejects(ch.connect({ host: '127.0.0.1', port, servername: 'other.example.test' }), (e: Error) => {
        assert.match(e.message, /^TLS certificate of other\.example\.test \(127\.0\.0\.1:\d+\|other\.example\.test\) refused: .*DNS:pbx\.example\.test.*\[ERR_TLS_CERT_ALTNAME_INVALID\]$/);
        return true;
      });
      await assert.rejects(ch.connect({ host: '127.0.0.1', port }), /TLS certificate of 127\.0\.0\.1 .*refused/, 'an address alone is checked as an IP');
    } finally {
      ch.close();
    }
  });

  test('tls.servername in the config is what every certificate is checked against', async () => {
    const ch = channel('pbx.example.test');
    try {
      await ch.connect({ host: '127.0.0.1', port, servername: 'other.example.test' });
    } finally {
      ch.close();
    }
  });
});
