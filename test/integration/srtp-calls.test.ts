import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { decodeWav } from '../../src-main/media/audio/wav-file.js';
import { decodeMulaw } from '../../src-main/media/codec/g711.js';
import { parseCryptoAttribute, type SdesCrypto } from '../../src-main/media/srtp/sdes.js';
import { SrtpSession } from '../../src-main/media/srtp/srtp-session.js';
import { BaresipPeer } from '../support/baresip-peer.js';
import { HeadlessRunner, type RunnerEvent } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { LinphonePeer } from '../support/linphone-peer.js';
import { findBinary } from '../support/peer-binaries.js';
import { rmsDbfs, toneFrequency } from '../support/tone.js';
import { UdpPeer } from '../support/udp-peer.js';
import { captureSkipReason, WireCapture, type CapturedSip } from '../support/wire-capture.js';
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

/*
 * SRTP calls (RFC 3711, SDES keys RFC 4568) between LineDesk and two independent SRTP stacks,
 * through Kamailio: baresip's own (libre) in its `srtp` (RTP/AVP with a=crypto) and `srtp-mand`
 * (RTP/SAVP only) modes, and Linphone's (libsrtp2) with media_encryption=srtp. The peers play a
 * tone; LineDesk's lines echo what they hear; each peer records what it heard (baresip's sndfile,
 * Linphone's file sound card), so its own tone coming back proves both directions. On the wire
 * (tshark) the RTP does not decode as G.711; it does once decrypted with the keys in the SDP.
 */
const skip = peerSkipReason('kamailio', 'baresip', 'tshark') ?? captureSkipReason();
const linphoneSkip = findBinary('linphonec') === undefined ? peerSkipReason('linphonec') : undefined;

/**
 * A capture of loopback UDP. tshark says "Capturing on" a moment before its capture really
 * runs (dumpcap is a child of its own): without a pause the INVITE can be missed.
 */
async function capture(): Promise<WireCapture> {
  const cap = new WireCapture('udp');
  await cap.start();
  await delay(700);
  return cap;
}

/** LineDesk's RTP ports in runnerConfig(); the peers' are below 40000. */
const OURS = { min: 40000, max: 49999 };
type Range = { min: number; max: number };
const within = (port: number, r: Range): boolean => port >= r.min && port <= r.max;

/** Every SDES key the captured SIP carried (offers and answers, ours and theirs). */
function keysIn(sip: CapturedSip[]): SdesCrypto[] {
  const keys: SdesCrypto[] = [];
  for (const m of sip) {
    for (const line of m.text.match(/crypto:\d+ AES_CM_128_HMAC_SHA1_(?:80|32) inline:[A-Za-z0-9+/=]+/g) ?? []) {
      const r = parseCryptoAttribute(line);
      if (r.ok) keys.push(r.crypto);
    }
  }
  return keys;
}

/** The media ports the SDPs of this capture name (m=audio <port>). */
function sdpPorts(sip: CapturedSip[]): Set<number> {
  const ports = new Set<number>();
  for (const m of sip) for (const [, port] of m.text.matchAll(/audio (\d+) RTP\//g)) ports.add(Number(port));
  return ports;
}

/**
 * The PCMU packets (RTP header in clear) from one port range to another, whole datagrams,
 * between the ports this capture's SDPs name: loopback carries whatever else runs on the
 * machine, and only this call's own ports say the packet is ours.
 */
async function packets(cap: WireCapture, from: Range, to: Range): Promise<Buffer[]> {
  const ports = sdpPorts(await cap.sip());
  const rows = await cap.fields('udp', ['udp.srcport', 'udp.dstport', 'udp.payload']);
  return rows
    .filter(([s, d]) => within(Number(s), from) && within(Number(d), to) && ports.has(Number(s)) && ports.has(Number(d)))
    .map(([, , hex]) => Buffer.from((hex ?? '').replace(/:/g, ''), 'hex'))
    .filter((p) => p.length >= 12 + 160 && p[0]! >> 6 === 2 && (p[1]! & 0x7f) === 0);
}

/** The payloads read as plain G.711 μ-law, skipping the first second (jitter buffer fill, echo start). */
function asPlainPcmu(wire: Buffer[]): Int16Array {
  return decodeMulaw(Buffer.concat(wire.slice(50).map((p) => p.subarray(12, 12 + 160))));
}

/**
 * Decrypted with the keys from the SDP (each packet with the one that authenticates it: a
 * far end may change its key in a re-INVITE), decoded as μ-law.
 */
function decrypted(wire: Buffer[], keys: SdesCrypto[]): { pcm: Int16Array; suites: string[] } {
  const sessions = keys.map((k) => ({ suite: k.suite, s: new SrtpSession({ suite: k.suite, local: k.master, remote: k.master }) }));
  const plain: Buffer[] = [];
  const suites = new Set<string>();
  for (const p of wire) {
    for (const { suite, s } of sessions) {
      const r = s.unprotectRtp(p);
      if (!r.ok) continue;
      plain.push(r.packet.subarray(12));
      suites.add(suite);
      break;
    }
  }
  assert.ok(plain.length >= wire.length * 0.98, `the keys in the SDP decrypt ${plain.length} of ${wire.length} packets`);
  return { pcm: decodeMulaw(Buffer.concat(plain.slice(50))), suites: [...suites] };
}

/** Proves the media was SRTP both ways with the SDP's keys, and carried `hz` both ways. */
async function assertSrtpWire(cap: WireCapture, peer: Range, hz: number): Promise<string> {
  const keys = keysIn(await cap.sip());
  const inbound = await packets(cap, peer, OURS);
  const outbound = await packets(cap, OURS, peer);
  assert.ok(inbound.length > 120 && outbound.length > 120, `RTP both ways (${inbound.length} in, ${outbound.length} out)`);
  for (const [name, wire] of [['peer → LineDesk', inbound], ['LineDesk → peer', outbound]] as const) {
    const f = toneFrequency(asPlainPcmu(wire), 8000);
    assert.ok(!(Math.abs(f - hz) < 20), `${name}: the RTP on the wire does not decode as the ${hz} Hz tone in G.711 (${f.toFixed(1)} Hz)`);
    const d = decrypted(wire, keys);
    const g = recordedTone(d.pcm, 8000);
    assert.ok(Math.abs(g - hz) < 2, `${name}: decrypted with the SDP's keys (${d.suites.join(', ')}) it is the ${hz} Hz tone (${g.toFixed(1)} Hz)`);
  }
  return keys.map((k) => k.suite).join(',');
}

/**
 * The tone of a recording: the median over 250 ms windows that hold sound, so that the
 * silence before the echo starts, a jitter-buffer adjustment or the hang-up do not bend it.
 */
function recordedTone(pcm: Int16Array, rate: number): number {
  const w = rate / 4;
  const found: number[] = [];
  for (let i = 0; i + w <= pcm.length; i += w) {
    const part = pcm.subarray(i, i + w);
    if (rmsDbfs(part) > -40) found.push(toneFrequency(part, rate));
  }
  found.sort((a, b) => a - b);
  assert.ok(found.length >= 8, `at least 2 s of sound in the recording (${found.length} windows)`);
  return found[Math.floor(found.length / 2)]!;
}

/** The tone in the newest recording baresip's sndfile made of what it heard (closed when the call ended). */
function baresipHeard(peer: BaresipPeer): number {
  const dec = readdirSync(peer.recordDir).filter((f) => f.endsWith('-dec.wav')).sort();
  assert.ok(dec.length > 0, `baresip recorded the call (${readdirSync(peer.recordDir).join(', ')})`);
  const wav = decodeWav(readFileSync(join(peer.recordDir, dec.at(-1)!)));
  return recordedTone(wav.samples, wav.sampleRate);
}

function linphoneHeard(peer: LinphonePeer): number {
  const wav = decodeWav(readFileSync(peer.recordFile));
  return recordedTone(wav.samples, wav.sampleRate);
}

describe('SRTP calls with baresip and Linphone, through Kamailio', { skip, timeout: 300_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  const baresip: Record<'srtp' | 'mand' | 'plain', BaresipPeer> = {} as never;
  const linphone: Partial<Record<'srtp' | 'mand', LinphonePeer>> = {};

  before(async () => {
    k = await startKamailio();
    // baresip sends a 440 Hz sine (ausine) and auto-answers.
    baresip.srtp = new BaresipPeer({ user: '402', registrarPort: k.udpPort, lifetimeSec: 290, audio: true, codecs: ['PCMU'], mediaenc: 'srtp', record: true });
    baresip.mand = new BaresipPeer({ user: '403', registrarPort: k.udpPort, lifetimeSec: 290, audio: true, codecs: ['PCMU'], mediaenc: 'srtp-mand', record: true });
    baresip.plain = new BaresipPeer({ user: '404', registrarPort: k.udpPort, lifetimeSec: 290, audio: true, codecs: ['PCMU'] });
    for (const p of Object.values(baresip)) await p.start();
    if (!linphoneSkip) {
      const registered = (user: string) => async () => (await k.contacts(user)).length > 0;
      linphone.srtp = new LinphonePeer({ user: '405', registrarPort: k.udpPort, mediaEncryption: 'srtp', toneHz: 700, lifetimeSec: 290 });
      linphone.mand = new LinphonePeer({ user: '406', registrarPort: k.udpPort, mediaEncryption: 'srtp', mandatory: true, toneHz: 900, lifetimeSec: 290 });
      await linphone.srtp.start(registered('405'));
      await linphone.mand.start(registered('406'));
    }
    // UDP lines (off by default): each says its policy. Every line echoes what it hears.
    const config = runnerConfig(
      k,
      [
        { id: 'agent', ext: '222', media: { mode: 'echo', encryption: 'optional' } },
        { id: 'agentm', ext: '226', media: { mode: 'echo', encryption: 'mandatory' } },
        { id: 'svc', ext: '223', autoAnswerMs: 0, media: { encryption: 'optional' } },
        { id: 'mand', ext: '224', autoAnswerMs: 0, media: { encryption: 'mandatory' } },
        { id: 'off', ext: '225', autoAnswerMs: 0, media: { encryption: 'off' } },
      ],
      { media: { codecs: ['PCMU'] } },
    );
    runner = new HeadlessRunner(config);
    await runner.registered(['agent', 'agentm', 'svc', 'mand', 'off']);
  });
  after(async () => {
    await runner?.stop();
    for (const p of Object.values(baresip)) await p?.stop();
    for (const p of Object.values(linphone)) await p?.stop();
    await k?.stop();
  });

  /** Dials from a LineDesk line, talks 4 s, hangs up; the capture covers it all. */
  async function dialAndTalk(line: string, target: string): Promise<{ answered: RunnerEvent; quality: RunnerEvent | undefined; cap: WireCapture }> {
    const cap = await capture();
    const since = runner.events.length;
    try {
      runner.send({ cmd: 'dial', line, target, id: `dial-${target}` });
      const answered = await runner.waitForEvent('call.answered', { line }, 10_000, since);
      const quality = await runner.waitForEvent('call.quality', { call: answered.call }, 7_000).catch(() => undefined);
      runner.send({ cmd: 'hangup', line });
      await runner.waitForEvent('call.ended', { call: answered.call }, 5_000);
      return { answered, quality, cap };
    } finally {
      await cap.stop();
    }
  }

  /** Waits for a call the peer places to be answered on `line`, 4 s of media, then the peer hangs up. */
  async function takeCall(line: string, dial: () => Promise<void> | void, hangup: () => Promise<void> | void): Promise<{ answered: RunnerEvent; quality: RunnerEvent | undefined; cap: WireCapture }> {
    const cap = await capture();
    const since = runner.events.length;
    try {
      await dial();
      const answered = await runner.waitForEvent('call.answered', { line }, 10_000, since);
      const quality = await runner.waitForEvent('call.quality', { call: answered.call }, 7_000).catch(() => undefined);
      await hangup();
      await runner.waitForEvent('call.ended', { call: answered.call }, 10_000);
      return { answered, quality, cap };
    } finally {
      await cap.stop();
    }
  }

  test('LineDesk (optional) calls baresip `srtp`: RTP/AVP with a=crypto, SRTP both ways, hold and resume keep our key, baresip hears its 440 Hz back', async () => {
    const cap = await capture();
    const since = runner.events.length;
    let answered: RunnerEvent;
    let quality: RunnerEvent | undefined;
    try {
      runner.send({ cmd: 'dial', line: 'agent', target: '402', id: 'dial-402' });
      answered = await runner.waitForEvent('call.answered', { line: 'agent' }, 10_000, since);
      await delay(2_500);
      for (const on of [true, false]) {
        runner.send({ cmd: 'hold', line: 'agent', on, id: `hold-${on}` });
        await runner.waitForEvent('call.held', { call: answered.call, on, by: 'local' }, 5_000, since);
        await delay(on ? 1_000 : 3_000);
      }
      quality = await runner.waitForEvent('call.quality', { call: answered.call }, 7_000, since).catch(() => undefined);
      runner.send({ cmd: 'hangup', line: 'agent' });
      await runner.waitForEvent('call.ended', { call: answered.call }, 5_000);
    } finally {
      await cap.stop();
    }
    try {
      assert.equal(answered.encrypted, true, 'call.answered says encrypted');
      assert.equal(quality?.encrypted, true);
      assert.equal(quality?.srtpSuite, 'AES_CM_128_HMAC_SHA1_80');
      const ours = (await cap.sip()).filter((m) => m.firstLine.startsWith('INVITE sip:') && m.dstPort === k.udpPort && /402/.test(m.firstLine));
      assert.equal(ours.length, 3, `the INVITE, the hold and the resume re-INVITEs: ${ours.map((m) => m.firstLine).join(' | ')}`);
      assert.match(ours[0]!.text, /RTP\/AVP/, 'our offer: RTP/AVP');
      assert.match(ours[0]!.text, /crypto:1 AES_CM_128_HMAC_SHA1_80 inline:.*crypto:2 AES_CM_128_HMAC_SHA1_32 inline:/, 'with a key per suite');
      const first = /crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/=]+/.exec(ours[0]!.text)![0];
      for (const re of ours.slice(1)) {
        assert.equal(re.text.match(/crypto:/g)?.length, 1, 're-offers carry only the key in use');
        assert.ok(re.text.includes(first), 'the key baresip accepted, unchanged');
      }
      await assertSrtpWire(cap, baresip.srtp.rtpPorts, 440);
    } finally {
      cap.dispose();
    }
    await delay(300);
    assert.ok(Math.abs(baresipHeard(baresip.srtp) - 440) < 2, `baresip heard its tone back: ${baresipHeard(baresip.srtp)} Hz`);
  });

  test('LineDesk (optional) calls baresip `srtp-mand`: 488 to RTP/AVP with a=crypto, the retry with RTP/SAVP (same Call-ID) is SRTP', async () => {
    const { answered, cap } = await dialAndTalk('agent', '403');
    try {
      assert.equal(answered.encrypted, true);
      const sip = await cap.sip();
      const ours = sip.filter((m) => m.firstLine.startsWith('INVITE sip:403@') && m.dstPort === k.udpPort);
      assert.equal(ours.length, 2, `two INVITEs: ${ours.map((m) => m.firstLine).join(' | ')}`);
      assert.doesNotMatch(ours[0]!.text, /RTP\/SAVP/);
      assert.match(ours[1]!.text, /RTP\/SAVP/);
      assert.ok(sip.some((m) => m.firstLine.startsWith('SIP/2.0 488')), 'baresip refused the first with 488');
      const ids = await cap.fields('sip.Method == "INVITE" && udp.dstport == ' + k.udpPort + ' && sip.r-uri.user == "403"', ['sip.Call-ID']);
      assert.equal(new Set(ids.map(([id]) => id)).size, 1, 'the retry keeps the Call-ID');
      await assertSrtpWire(cap, baresip.mand.rtpPorts, 440);
    } finally {
      cap.dispose();
    }
    await delay(300);
    assert.ok(Math.abs(baresipHeard(baresip.mand) - 440) < 2, `baresip heard ${baresipHeard(baresip.mand)} Hz`);
  });

  for (const mode of ['srtp', 'mand'] as const) {
    test(`baresip \`${mode === 'mand' ? 'srtp-mand' : 'srtp'}\` calls an optional service line: SRTP both ways, its 440 Hz comes back`, async () => {
      const peer = baresip[mode];
      const { answered, quality, cap } = await takeCall('svc', () => peer.command('dial', 'sip:223@pbx.local'), () => peer.command('hangup'));
      try {
        assert.equal(answered.encrypted, true);
        assert.equal(quality?.encrypted, true);
        const invite = (await cap.sip()).find((m) => m.firstLine.startsWith('INVITE sip:223@'));
        assert.match(invite?.text ?? '', mode === 'mand' ? /RTP\/SAVP/ : /RTP\/AVP/);
        await assertSrtpWire(cap, peer.rtpPorts, 440);
      } finally {
        cap.dispose();
      }
      await delay(300);
      assert.ok(Math.abs(baresipHeard(peer) - 440) < 2, `baresip heard ${baresipHeard(peer)} Hz`);
    });
  }

  test('a plain caller (baresip without SRTP) to a mandatory line gets 488 with a Warning; call.rejected says why; nothing rings', async () => {
    const cap = await capture();
    const since = runner.events.length;
    let rejected: RunnerEvent;
    try {
      await baresip.plain.command('dial', 'sip:224@pbx.local');
      rejected = await runner.waitForEvent('call.rejected', { line: 'mand' }, 10_000, since);
      await delay(500);
    } finally {
      await cap.stop();
    }
    try {
      assert.equal(rejected.code, 488);
      assert.equal(rejected.reason, 'srtp-required');
      assert.match(String(rejected.detail), /requires SRTP/);
      const mine = runner.events.slice(since).filter((e) => e.call === rejected.call);
      assert.deepEqual(mine.map((e) => e.event), ['call.rejected', 'call.ended'], 'no call.offered: nothing rang');
      assert.equal(mine[1]!.code, 488);
      const refusal = await cap.fields('sip.Status-Code == 488', ['sip.Warning']);
      assert.ok(refusal.some(([w]) => /^302 linedesk ".*requires SRTP/.test(w ?? '')), `488 with Warning 302: ${JSON.stringify(refusal)}`);
      assert.equal((await cap.fields('sip.Status-Code == 180', ['sip.Call-ID'])).filter(([id]) => id === rejected.call).length, 0, 'no 180 Ringing');
    } finally {
      cap.dispose();
    }
    await baresip.plain.command('hangup');
  });

  test('RTP only from the far end: the INVITE\'s source may be latched onto, a stranger may not (wiring of the signalling peer)', async () => {
    const ready = runner.events.find((e) => e.event === 'ready') as RunnerEvent & { transports: { local: string }[] };
    const ldSip = Number(ready.transports[0]!.local.split(':').at(-1));
    const sip = new UdpPeer();
    const sipPort = await sip.bind('127.0.0.1');
    const bind = async (host: string): Promise<{ socket: Socket; got: Buffer[] }> => {
      const socket = createSocket('udp4');
      const got: Buffer[] = [];
      socket.on('message', (m) => got.push(m));
      await new Promise<void>((r) => socket.bind(0, host, () => r()));
      return { socket, got };
    };
    // The far end's RTP really comes from the PBX's address (127.0.0.1, where the INVITE came
    // from), while its SDP names a media address it does not send from (127.0.0.3): symmetric
    // RTP may follow it only because it is the signalling peer. 127.0.0.2 is nobody's.
    const far = await bind('127.0.0.1');
    const stranger = await bind('127.0.0.2');
    const callId = `wire-${randomBytes(4).toString('hex')}`;
    const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.3', 's=-', 'c=IN IP4 127.0.0.3', 't=0 0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
    const head = (method: string, cseq: number, toTag = '') => [`${method} sip:223@127.0.0.1:${ldSip} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${sipPort};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`, 'Max-Forwards: 70', `From: <sip:wire@127.0.0.1>;tag=w1`, `To: <sip:223@127.0.0.1>${toTag}`, `Call-ID: ${callId}`, `CSeq: ${cseq} ${method}`, `Contact: <sip:wire@127.0.0.1:${sipPort}>`];
    try {
      await sip.send([...head('INVITE', 1), 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp].join('\r\n'), ldSip);
      const ok = await sip.next((m) => m.startsWith('SIP/2.0 200') && m.includes(callId), 10_000);
      const toTag = /^To:.*(;tag=[^;\s]+)/im.exec(ok)![1]!;
      const rtpPort = Number(/^m=audio (\d+)/m.exec(ok)![1]);
      await sip.send([...head('ACK', 1, toTag), 'Content-Length: 0', '', ''].join('\r\n'), ldSip);
      const packet = (ssrc: number, seq: number): Buffer => {
        const p = Buffer.alloc(12 + 160, 0xff);
        p[0] = 0x80;
        p.writeUInt16BE(seq, 2);
        p.writeUInt32BE(seq * 160, 4);
        p.writeUInt32BE(ssrc, 8);
        return p;
      };
      for (let i = 0; i < 10; i++) stranger.socket.send(packet(0x5117, i), rtpPort, '127.0.0.1');
      for (let i = 0; i < 100; i++) {
        far.socket.send(packet(0xfa4, i), rtpPort, '127.0.0.1');
        await delay(20);
      }
      await delay(300);
      assert.ok(far.got.length > 20, `our echo reached the far end's real source: ${far.got.length} packets`);
      assert.equal(stranger.got.length, 0, 'nothing to the stranger');
      assert.ok(runner.stderr.some((l) => l.includes('symmetric RTP: the far end sends from 127.0.0.1:') && l.includes('SDP said 127.0.0.3:9')), 'the latch, in the log');
      assert.ok(runner.stderr.some((l) => /dropping RTP from 127\.0\.0\.2:/.test(l)), 'the stranger, dropped and logged');
    } finally {
      runner.send({ cmd: 'hangup', line: 'svc' });
      const bye = await sip.next((m) => m.startsWith('BYE ') && m.includes(callId), 5_000).catch(() => undefined);
      if (bye) {
        const h = (n: string) => new RegExp(`^${n}:.*$`, 'im').exec(bye)![0];
        await sip.send(['SIP/2.0 200 OK', h('Via'), h('From'), h('To'), h('Call-ID'), h('CSeq'), 'Content-Length: 0', '', ''].join('\r\n'), ldSip);
      }
      sip.close();
      far.socket.close();
      stranger.socket.close();
    }
  });

  test('Linphone (srtp) calls an optional service line: RTP/SAVP, SRTP both ways, Linphone hears its 700 Hz back', { skip: linphoneSkip }, async () => {
    const peer = linphone.srtp!;
    const mark = peer.mark();
    const { answered, quality, cap } = await takeCall('svc', () => peer.command('call sip:223@127.0.0.1'), () => peer.command('terminate'));
    try {
      assert.equal(answered.encrypted, true);
      assert.equal(quality?.encrypted, true);
      await assertSrtpWire(cap, { min: 38000, max: 39999 }, 700);
    } finally {
      cap.dispose();
    }
    await peer.waitFor(/Call \d+ with .* ended/, 5_000, mark);
    assert.ok(Math.abs(linphoneHeard(peer) - 700) < 2, `Linphone heard ${linphoneHeard(peer)} Hz`);
  });

  test('LineDesk calls Linphone (srtp): a mandatory line gets SRTP; an optional line gets plain RTP (Linphone ignores a=crypto on RTP/AVP)', { skip: linphoneSkip }, async () => {
    const peer = linphone.srtp!;
    const mark = peer.mark();
    const secure = await dialAndTalk('agentm', '405');
    try {
      assert.equal(secure.answered.encrypted, true);
      await assertSrtpWire(secure.cap, { min: 38000, max: 39999 }, 700);
    } finally {
      secure.cap.dispose();
    }
    await peer.waitFor(/Call \d+ with .* ended/, 5_000, mark);
    assert.ok(Math.abs(linphoneHeard(peer) - 700) < 2, `Linphone heard ${linphoneHeard(peer)} Hz`);
    const best = await dialAndTalk('agent', '405');
    best.cap.dispose();
    assert.equal(best.answered.encrypted, false, 'best-effort SDES to Linphone without mandatory SRTP: plain RTP');
    assert.equal(best.quality?.encrypted, false);
  });

  test('Linphone with mandatory SRTP calling a line whose encryption is off gets 488 before anything rings', { skip: linphoneSkip }, async () => {
    const peer = linphone.mand!;
    const since = runner.events.length;
    const mark = peer.mark();
    peer.command('call sip:225@127.0.0.1');
    const rejected = await runner.waitForEvent('call.rejected', { line: 'off' }, 10_000, since);
    assert.equal(rejected.code, 488);
    assert.equal(rejected.reason, 'srtp-refused');
    assert.match(String(rejected.detail), /encryption is off/);
    await peer.waitFor(/Call \d+ .*(error|declined|ended)/i, 5_000, mark);
    const mine = runner.events.slice(since).filter((e) => e.call === rejected.call);
    assert.ok(!mine.some((e) => e.event === 'call.offered'), `nothing rang: ${mine.map((e) => e.event).join(', ')}`);
  });
});
