import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { systemClock } from '../../src-main/common/clock.js';
import { createLogger } from '../../src-main/common/logger.js';
import { decodeMulaw, encodeMulaw } from '../../src-main/media/codec/g711.js';
import { bindRtpPortPair } from '../../src-main/media/rtp/rtp-port-pair.js';
import type { IncomingRtp } from '../../src-main/media/rtp/incoming-rtp.js';
import { RtpSession } from '../../src-main/media/rtp/rtp-session.js';
import { answerCrypto } from '../../src-main/media/srtp/sdes.js';
import { SrtpSession } from '../../src-main/media/srtp/srtp-session.js';
import { peerSkipReason } from '../support/peer-binaries.js';
import { freePort } from '../support/ports.js';
import { analyseTone, sine } from '../support/tone.js';

/**
 * SDES-keyed SRTP against baresip's own SRTP (libre's, not libsrtp): baresip dials a minimal
 * SIP answerer in this test with `mediaenc=srtp-mand`; we answer its a=crypto offer with
 * answerCrypto(), key an SrtpSession and an RtpSession from the two lines, and exchange tones.
 * The PBX wiring (negotiation, Kamailio) is a later step; this is the crypto and SDES interop.
 */
const skip = peerSkipReason('baresip');
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function header(msg: string, name: string): string {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(msg);
  assert.ok(m, `${name} in\n${msg}`);
  return m[1]!.trim();
}

describe('SRTP interop with baresip (SDES, AES_CM_128_HMAC_SHA1_80)', { skip, timeout: 60_000 }, () => {
  test('baresip offers a=crypto; we answer; its 440 Hz decrypts on our side and its SRTCP reports receiving ours', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-srtp-baresip-'));
    const sip = createSocket('udp4');
    await new Promise<void>((r) => sip.bind(0, '127.0.0.1', r));
    const ourSipPort = sip.address().port;
    const invites: { msg: string; from: RemoteInfo }[] = [];
    sip.on('message', (m, from) => {
      const msg = m.toString();
      if (msg.startsWith('INVITE ')) invites.push({ msg, from });
    });
    const baresipSip = await freePort('both');
    const rtpBase = 36000 + 2 * Math.floor(Math.random() * 2000);
    writeFileSync(
      join(dir, 'config'),
      [
        'poll_method\t\tepoll',
        `sip_listen\t\t127.0.0.1:${baresipSip}`,
        'sip_trans_def\t\tudp',
        'net_interface\t\t127.0.0.1',
        'net_prefer_ipv6\t\tno',
        'dns_server\t\t127.0.0.1:53',
        `rtp_ports\t\t${rtpBase}-${rtpBase + 99}`,
        'audio_player\t\taubridge,nil',
        'audio_source\t\tausine,440',
        'audio_alert\t\taubridge,nil',
        // ausine runs at 48 kHz only; baresip resamples to the codec.
        'ausrc_srate\t\t48000',
        'auplay_srate\t\t48000',
        'ausrc_channels\t\t2',
        'auplay_channels\t\t1',
        'module_path\t\t/usr/lib/baresip/modules',
        'module\t\t\tg711.so',
        'module\t\t\tausine.so',
        'module\t\t\taubridge.so',
        'module\t\t\tsrtp.so',
        'module_app\t\taccount.so',
        'module_app\t\tmenu.so',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'accounts'), '<sip:tester@127.0.0.1>;regint=0;mediaenc=srtp-mand;audio_codecs=PCMU\n');
    writeFileSync(join(dir, 'contacts'), '');
    const output: string[] = [];
    const ours: string[] = [];
    let child: ChildProcess | undefined;
    let rtp: RtpSession | undefined;
    try {
      child = spawn('baresip', ['-f', dir, '-p', '/usr/share/baresip', '-t', '25', '-e', `/dial sip:linedesk@127.0.0.1:${ourSipPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
      for (const end = Date.now() + 10_000; invites.length === 0; await wait(20)) if (Date.now() > end) assert.fail(`no INVITE from baresip:\n${output.join('')}`);
      const { msg: invite, from } = invites[0]!;
      const [, body = ''] = invite.split(/\r\n\r\n/);
      assert.match(body, /^m=audio \d+ RTP\/SAVP /m, 'baresip offers SRTP');
      const farPort = Number(/^m=audio (\d+)/m.exec(body)![1]);
      const cryptoLines = body.split(/\r?\n/).filter((l) => l.startsWith('a=crypto:'));
      const answer = answerCrypto(cryptoLines);
      assert.ok(answer.remote, `no usable crypto line in ${cryptoLines.join(' | ')}`);

      const pair = await bindRtpPortPair('127.0.0.1', { min: 43000, max: 43999 });
      rtp = new RtpSession(pair, { clock: systemClock, log: createLogger('debug', (l) => ours.push(l)), clockRate: 8000, symmetric: true, signallingPeerIp: from.address, rtcpIntervalMs: 500 });
      rtp.setTarget({ address: '127.0.0.1', rtpPort: farPort, rtcpAddress: '127.0.0.1', rtcpPort: farPort + 1, rtcpMux: false });
      rtp.setSrtp(new SrtpSession({ suite: answer.local.suite, local: answer.local.master, remote: answer.remote.master, ...(answer.remote.lifetime ? { remoteLifetime: answer.remote.lifetime } : {}) }));
      const heard: IncomingRtp[] = [];
      rtp.events.on('rtp', (p) => heard.push(p));

      const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${pair.port} RTP/SAVP 0`, 'a=rtpmap:0 PCMU/8000', `a=crypto:${answer.attribute}`, 'a=ptime:20', 'a=sendrecv', ''].join('\r\n');
      const ok = [
        'SIP/2.0 200 OK',
        `Via: ${header(invite, 'Via')}`,
        `From: ${header(invite, 'From')}`,
        `To: ${header(invite, 'To')};tag=ld1`,
        `Call-ID: ${header(invite, 'Call-ID')}`,
        `CSeq: ${header(invite, 'CSeq')}`,
        `Contact: <sip:linedesk@127.0.0.1:${ourSipPort}>`,
        'Content-Type: application/sdp',
        `Content-Length: ${Buffer.byteLength(sdp)}`,
        '',
        sdp,
      ].join('\r\n');
      sip.send(ok, from.port, from.address);

      // Our side: a 1 kHz tone in 20 ms PCMU packets for 6 s (baresip reports on it in its RTCP).
      const tone = sine(1000, 8000, 8000 * 6, 8000);
      for (let i = 0; i < 300; i++) {
        rtp.send(0, i * 160, Buffer.from(encodeMulaw(tone.subarray(i * 160, (i + 1) * 160))), i === 0);
        await wait(20);
      }
      await wait(500);
      if (heard.length < 150) console.log(output.join(''), ours.join('\n'), JSON.stringify(rtp.quality()));
      assert.ok(heard.length > 150, `baresip's SRTP decrypted here: ${heard.length} packets (${rtp.quality().srtpDropped} dropped)`);
      // baresip sends one plain 16-byte RTCP APP "PINGPONG" at the start (libre's NAT keep-alive): too short for
      // SRTCP, refused as malformed. Nothing of its SRTP or SRTCP fails authentication or replays.
      const drops = ours.filter((l) => /dropping SRTP/.test(l));
      assert.ok(drops.every((l) => /\(malformed\)/.test(l)) && rtp.quality().srtpDropped <= 2, `SRTP drops:\n${drops.join('\n')} (${rtp.quality().srtpDropped})`);
      const pcm = decodeMulaw(Buffer.concat(heard.map((p) => p.payload)));
      const a = analyseTone(pcm, 8000);
      assert.ok(Math.abs(a.frequencyHz - 440) < 2, `baresip's tone: ${a.frequencyHz} Hz`);
      const q = rtp.quality();
      assert.ok(q.remoteLossPct !== undefined, `baresip's SRTCP report on our stream arrived and authenticated (${JSON.stringify(q)})`);
      assert.equal(q.remoteLossPct, 0, 'baresip lost none of ours: it authenticated and decrypted them');
      assert.doesNotMatch(output.join(''), /srtp.*(fail|error|auth)/i, 'baresip logged no SRTP errors');
    } finally {
      rtp?.close();
      sip.close();
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise<void>((r) => {
          const t = setTimeout(() => (child!.kill('SIGKILL'), r()), 3000);
          child!.once('exit', () => (clearTimeout(t), r()));
        });
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
