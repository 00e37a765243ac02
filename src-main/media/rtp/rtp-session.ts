import { randomBytes } from 'node:crypto';
import type { RemoteInfo } from 'node:dgram';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { packets } from 'rtp.js';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { Emitter } from '../../common/emitter.js';
import type { Logger } from '../../common/logger.js';
import type { IncomingRtp } from './incoming-rtp.js';
import { middle32ToMs, ntpFromMs, ntpMiddle32 } from './ntp-time.js';
import type { SrtpSession } from '../srtp/srtp-session.js';
import { RateLimitedWarning } from './rate-limited-warning.js';
import { ReceiveStatistics } from './receive-statistics.js';
import type { RtpPortPair } from './rtp-port-pair.js';
import { FarEndSilence } from './far-end-silence.js';
import { RtpSourceGuard, type Endpoint } from './rtp-source-guard.js';

const { RtpPacket, CompoundPacket, SenderReportPacket, ReceiverReportPacket, ReceptionReport, SdesPacket, SdesChunk, ByePacket, isRtp, isRtcp } = packets;
/** RFC 3550 §6.5.1: the SDES item type of CNAME. */
const SDES_CNAME = 1;

/** Where media for a call goes (from SDP, and corrected once by symmetric RTP). */
export interface RtpTarget {
  address: string;
  rtpPort: number;
  rtcpAddress: string;
  rtcpPort: number;
  rtcpMux: boolean;
}

export interface RtpQuality {
  /** Packets the far end lost of ours, or we of theirs, whichever is worse, in %. */
  lossPct: number;
  /** Our measure of the far end's jitter (RFC 3550), ms. */
  jitterMs: number;
  rttMs: number | undefined;
  packetsSent: number;
  packetsReceived: number;
  /** What the far end reports losing of our stream, %. */
  remoteLossPct: number | undefined;
  /** Datagrams dropped because they did not come from the far end (issue 12 item 4). */
  foreignDropped: number;
  /** SRTP/SRTCP packets dropped: failed authentication, replayed, malformed. */
  srtpDropped: number;
}

export interface RtpSessionEvents extends Record<string, unknown[]> {
  rtp: [packet: IncomingRtp];
  /** Nothing came from the far end for `farEndTimeoutMs` while its audio was expected (once). */
  silent: [silentMs: number];
}

export interface RtpSessionOptions {
  clock: Clock;
  log: Logger;
  /** RTP clock rate of the audio codec, for jitter and SR timestamps. */
  clockRate: number;
  /**
   * Symmetric RTP (comedia, for NAT): latch once, at the start of the call, onto the far end's
   * real source when it is not the SDP's ip:port but has the SDP's or the signalling peer's IP.
   * Without it, media is accepted only from the SDP's ip:port.
   */
  symmetric: boolean;
  /**
   * The IP address the call's SIP signalling came from (the PBX, or the proxy in front of it).
   * A symmetric-RTP latch may go to it as well as to the SDP's connection address: a PBX behind
   * NAT often puts its private address in SDP. Optional: without it, only the SDP's IP.
   */
  signallingPeerIp?: string;
  /** Mean RTCP interval (RFC 3550 §6.2: 5 s minimum, randomised ±50 %). */
  rtcpIntervalMs?: number;
  /** Emit `silent` after this long with no RTP or RTCP from the far end while expectMedia(true); 0 or absent: never. */
  farEndTimeoutMs?: number;
}

/**
 * One RTP session: our SSRC and sequence numbers, the remote target, RTCP sender and
 * receiver reports with jitter, loss and round-trip time. Packet formats are rtp.js's;
 * the media around it (codec, jitter buffer, device) belongs to the call.
 */
export class RtpSession {
  readonly events = new Emitter<RtpSessionEvents>();
  readonly ssrc: number;
  readonly cname = `linedesk@${hostname()}`;
  #target: RtpTarget | undefined;
  #seq = randomBytes(2).readUInt16BE();
  #sending = true;
  #receiving = true;
  #sent = 0;
  #octets = 0;
  #sentSinceReport = false;
  #lastRtpTimestamp = 0;
  #stats: ReceiveStatistics;
  #lastSr: { middle: number; at: number } | undefined;
  #rttMs: number | undefined;
  #remoteFractionLost: number | undefined;
  #guard: RtpSourceGuard;
  #srtp: SrtpSession | undefined;
  #foreign = 0;
  #foreignWarning: RateLimitedWarning;
  #srtpDropped = 0;
  #srtpWarning: RateLimitedWarning;
  #rtcpTimer: TimerHandle | undefined;
  #closed = false;
  #socketErrors: RateLimitedWarning;
  #silence: FarEndSilence | undefined;

  constructor(
    private readonly pair: RtpPortPair,
    private readonly opts: RtpSessionOptions & { clockRate: number },
  ) {
    this.ssrc = randomBytes(4).readUInt32BE();
    this.#stats = new ReceiveStatistics(opts.clockRate);
    this.#socketErrors = new RateLimitedWarning(opts.clock, opts.log);
    this.#foreignWarning = new RateLimitedWarning(opts.clock, opts.log);
    this.#srtpWarning = new RateLimitedWarning(opts.clock, opts.log);
    this.#guard = new RtpSourceGuard({ symmetric: opts.symmetric, ...(opts.signallingPeerIp ? { signallingPeerIp: opts.signallingPeerIp } : {}) });
    pair.rtp.on('message', (buf, rinfo) => this.#onDatagram(buf, rinfo, false));
    pair.rtcp.on('message', (buf, rinfo) => this.#onDatagram(buf, rinfo, true));
    // A send that fails (unreachable network, EPERM from a firewall, a bad address) is
    // emitted on the socket: without a listener it would be an uncaught exception.
    pair.rtp.on('error', (error) => this.#onSocketError('RTP', error));
    pair.rtcp.on('error', (error) => this.#onSocketError('RTCP', error));
    this.#scheduleRtcp();
    const timeout = opts.farEndTimeoutMs ?? 0;
    if (timeout > 0) this.#silence = new FarEndSilence(opts.clock, timeout, (ms) => this.events.emit('silent', ms));
  }

  get port(): number {
    return this.pair.port;
  }

  get target(): RtpTarget | undefined {
    return this.#target;
  }

  /**
   * From SDP: where to send, and where media is accepted from. A changed address or port takes
   * effect at once and allows one new symmetric-RTP latch; the same target again keeps the
   * latch. Addresses must be IP literals (negotiation refuses host names): a name here would be
   * looked up by every send.
   */
  setTarget(target: RtpTarget): void {
    if (!isIP(target.address) || !isIP(target.rtcpAddress)) {
      this.opts.log.warn(`not sending media to "${target.address}" / RTCP "${target.rtcpAddress}": not an IP address`);
      this.#target = undefined;
      this.#guard.expect(undefined);
      return;
    }
    if (this.#guard.expect(target) || !this.#target) this.#target = { ...target };
  }

  /**
   * SRTP for this stream (keys from SDES), or undefined for plain RTP: every packet sent is
   * protected from now on, every packet received must authenticate. Replace it when a
   * re-INVITE brings new keys.
   */
  setSrtp(srtp: SrtpSession | undefined): void {
    this.#srtp = srtp;
  }

  /** The codec's RTP clock rate (jitter is measured in its units); restarts receive statistics. */
  setClockRate(rate: number): void {
    if (rate === this.opts.clockRate) return;
    this.opts.clockRate = rate;
    this.#stats = new ReceiveStatistics(rate);
  }

  /** Hold and direction: a held stream neither sends nor delivers audio (RTCP goes on). */
  setDirection(send: boolean, receive: boolean): void {
    this.#sending = send;
    this.#receiving = receive;
  }

  /** Whether the far end's audio is expected now (not held either way): the silence watch runs only then, afresh. */
  expectMedia(on: boolean): void {
    this.#silence?.expect(on);
  }

  get sending(): boolean {
    return this.#sending;
  }

  /** Sends one RTP packet with our SSRC and the next sequence number. */
  send(payloadType: number, timestamp: number, payload: Buffer, marker = false): void {
    const t = this.#target;
    if (this.#closed || !this.#sending || !t) return;
    const p = new RtpPacket();
    p.setPayloadType(payloadType);
    p.setSequenceNumber(this.#seq);
    this.#seq = (this.#seq + 1) & 0xffff;
    p.setTimestamp(timestamp >>> 0);
    p.setSsrc(this.ssrc);
    p.setMarker(marker);
    p.setPayload(new DataView(payload.buffer, payload.byteOffset, payload.byteLength));
    p.serialize();
    const view = p.getView();
    const plain = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    const wire = this.#srtp ? this.#srtp.protectRtp(plain) : plain;
    if (!wire) return; // the SRTP key is used up: nothing leaves in clear
    this.pair.rtp.send(wire, t.rtpPort, t.address);
    this.#sent++;
    this.#octets += payload.length;
    this.#sentSinceReport = true;
    this.#lastRtpTimestamp = timestamp >>> 0;
  }

  quality(): RtpQuality {
    const ours = this.#stats.started && this.#stats.expected > 0 ? Math.max(0, this.#stats.cumulativeLost) / this.#stats.expected : 0;
    const theirs = this.#remoteFractionLost !== undefined ? this.#remoteFractionLost / 256 : 0;
    return {
      lossPct: Math.round(Math.max(ours, theirs) * 1000) / 10,
      jitterMs: Math.round(this.#stats.jitterMs * 10) / 10,
      rttMs: this.#rttMs === undefined ? undefined : Math.round(this.#rttMs * 10) / 10,
      packetsSent: this.#sent,
      packetsReceived: this.#stats.received,
      remoteLossPct: this.#remoteFractionLost === undefined ? undefined : Math.round((this.#remoteFractionLost / 256) * 1000) / 10,
      foreignDropped: this.#foreign,
      srtpDropped: this.#srtpDropped,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rtcpTimer?.cancel();
    this.#silence?.dispose();
    this.events.removeAllListeners();
    // RFC 3550 §6.6: say goodbye, so the far end stops waiting for our stream. The sockets
    // close once the BYE has left: closing at once would drop the queued send.
    let closeAfterSend = false;
    try {
      const bye = new ByePacket();
      bye.addSsrc(this.ssrc);
      closeAfterSend = this.#sendRtcp([this.#report(), bye], () => this.pair.close());
    } catch (error) {
      this.opts.log.debug('RTCP BYE not sent', { error });
    }
    if (!closeAfterSend) this.pair.close();
  }

  /**
   * One datagram: SRTP authentication first when keyed (so only the far end's packets count
   * towards a latch), then the source guard, then RTP or RTCP handling.
   */
  #onDatagram(wire: Buffer, from: RemoteInfo, onRtcpSocket: boolean): void {
    if (this.#closed || wire.length < 8) return;
    try {
      // RTP and RTCP are told apart by their headers, which SRTP leaves in clear (RFC 5761 §4).
      const rtcp = isRtcp(new DataView(wire.buffer, wire.byteOffset, wire.byteLength));
      if (!rtcp && (onRtcpSocket || wire.length < 12)) return;
      let buf = wire;
      if (this.#srtp) {
        const r = rtcp ? this.#srtp.unprotectRtcp(wire) : this.#srtp.unprotectRtp(wire);
        if (!r.ok) return this.#onSrtpDrop(r.reason, from);
        buf = r.packet;
      }
      const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      if (rtcp) {
        const verdict = this.#guard.checkRtcp(from, !onRtcpSocket, buf.readUInt32BE(4));
        if (verdict === 'drop') return this.#onForeign(from, 'RTCP');
        if (verdict === 'latched') this.#latchRtcp(from);
        this.#silence?.heard();
        this.#onRtcp(view);
      } else if (isRtp(view)) {
        const verdict = this.#guard.checkRtp(from, buf.readUInt32BE(8));
        if (verdict === 'drop') return this.#onForeign(from, 'RTP');
        if (verdict === 'latched') this.#latchRtp(from);
        this.#silence?.heard();
        this.#onRtp(view, buf);
      }
    } catch (error) {
      this.opts.log.debug('dropping a malformed media packet', { error });
    }
  }

  #onRtp(view: DataView, buf: Buffer): void {
    const p = new RtpPacket(view);
    const now = this.opts.clock.now();
    const ssrc = p.getSsrc();
    this.#stats.packet(ssrc, p.getSequenceNumber(), p.getTimestamp(), now);
    if (!this.#receiving) return;
    const payloadView = p.getPayload();
    this.events.emit('rtp', {
      payloadType: p.getPayloadType(),
      seq: p.getSequenceNumber(),
      timestamp: p.getTimestamp(),
      ssrc,
      marker: p.getMarker(),
      payload: buf.subarray(payloadView.byteOffset - buf.byteOffset, payloadView.byteOffset - buf.byteOffset + payloadView.byteLength),
      arrivalMs: now,
    });
  }

  /** Symmetric RTP, once per SDP target: send RTP (and muxed RTCP) to where the far end's really comes from. */
  #latchRtp(from: Endpoint): void {
    const t = this.#target;
    if (!t) return;
    this.#target = { ...t, address: from.address, rtpPort: from.port, ...(t.rtcpMux ? { rtcpAddress: from.address, rtcpPort: from.port } : {}) };
    this.opts.log.info(`symmetric RTP: the far end sends from ${from.address}:${from.port} (SDP said ${t.address}:${t.rtpPort}); sending there for the rest of the call`);
  }

  #latchRtcp(from: Endpoint): void {
    const t = this.#target;
    if (!t || t.rtcpMux) return;
    this.#target = { ...t, rtcpAddress: from.address, rtcpPort: from.port };
    this.opts.log.info(`symmetric RTP: RTCP comes from ${from.address}:${from.port} (SDP said ${t.rtcpAddress}:${t.rtcpPort}); sending RTCP there`);
  }

  /** A datagram from someone other than the far end: dropped, counted, logged at most every 10 s. */
  #onForeign(from: Endpoint, kind: string): void {
    this.#foreign++;
    const src = this.#guard.rtpSource;
    this.#foreignWarning.hit((n) => `dropping ${kind} from ${from.address}:${from.port}: not the far end (${src ? `${src.address}:${src.port}` : 'no SDP yet'}); ${n} dropped since the last report`);
  }

  #onSrtpDrop(reason: string, from: Endpoint): void {
    this.#srtpDropped++;
    this.#srtpWarning.hit((n) => `dropping SRTP from ${from.address}:${from.port} (${reason}); ${n} dropped since the last report`);
  }

  #onRtcp(view: DataView): void {
    const compound = new CompoundPacket(view);
    const now = this.opts.clock.now();
    for (const pkt of compound.getPackets()) {
      const reports = pkt instanceof SenderReportPacket ? pkt.getReports() : pkt instanceof ReceiverReportPacket ? pkt.getReports() : [];
      if (pkt instanceof SenderReportPacket) {
        this.#lastSr = { middle: ntpMiddle32({ seconds: pkt.getNtpSeconds(), fraction: pkt.getNtpFraction() }), at: now };
      }
      for (const r of reports) {
        if (r.getSsrc() !== this.ssrc) continue;
        this.#remoteFractionLost = r.getFractionLost();
        const lsr = r.getLastSRTimestamp();
        if (lsr !== 0) {
          // RFC 3550 §6.4.1: RTT = arrival − LSR − DLSR, in 1/65536 s.
          const arrival = ntpMiddle32(ntpFromMs(this.opts.clock.wallNow()));
          const rtt = (arrival - lsr - r.getDelaySinceLastSR()) >>> 0;
          const ms = middle32ToMs(rtt);
          if (ms < 60_000) this.#rttMs = ms;
        }
      }
    }
  }

  #scheduleRtcp(): void {
    const mean = this.opts.rtcpIntervalMs ?? 5000;
    this.#rtcpTimer = this.opts.clock.setTimeout(() => {
      if (this.#closed) return;
      try {
        this.#sendRtcp([this.#report()]);
      } catch (error) {
        this.opts.log.debug('RTCP send failed', { error });
      }
      this.#scheduleRtcp();
    }, mean * (0.5 + Math.random()));
  }

  /** An SR when we sent media since the last report, else an RR; with a block for the far end. */
  #report(): InstanceType<typeof SenderReportPacket> | InstanceType<typeof ReceiverReportPacket> {
    const block = this.#stats.started ? this.#receptionReport() : undefined;
    if (this.#sentSinceReport) {
      this.#sentSinceReport = false;
      const sr = new SenderReportPacket();
      sr.setSsrc(this.ssrc);
      const ntp = ntpFromMs(this.opts.clock.wallNow());
      sr.setNtpSeconds(ntp.seconds);
      sr.setNtpFraction(ntp.fraction);
      sr.setRtpTimestamp(this.#lastRtpTimestamp);
      sr.setPacketCount(this.#sent >>> 0);
      sr.setOctetCount(this.#octets >>> 0);
      if (block) sr.addReport(block);
      return sr;
    }
    const rr = new ReceiverReportPacket();
    rr.setSsrc(this.ssrc);
    if (block) rr.addReport(block);
    return rr;
  }

  #receptionReport(): InstanceType<typeof ReceptionReport> {
    const s = this.#stats;
    const r = new ReceptionReport();
    r.setSsrc(s.ssrc);
    r.setFractionLost(s.takeFractionLost());
    r.setTotalLost(Math.max(-(2 ** 23), Math.min(2 ** 23 - 1, s.cumulativeLost)));
    r.setHighestSeqNumber(s.extendedHighestSeq >>> 0);
    r.setJitter(s.jitterUnits >>> 0);
    if (this.#lastSr) {
      r.setLastSRTimestamp(this.#lastSr.middle);
      r.setDelaySinceLastSR(Math.round(((this.opts.clock.now() - this.#lastSr.at) / 1000) * 65536) >>> 0);
    }
    return r;
  }

  /** Sends a compound RTCP packet; `sent` runs once it has left. False when there was nowhere to send. */
  #sendRtcp(parts: packets.RtcpPacket[], sent?: () => void): boolean {
    const t = this.#target;
    if (!t) return false;
    const sdes = new SdesPacket();
    const chunk = new SdesChunk();
    chunk.setSsrc(this.ssrc);
    chunk.addItem(SDES_CNAME, this.cname);
    sdes.addChunk(chunk);
    const compound = new CompoundPacket();
    const [first, ...rest] = parts;
    if (first) compound.addPacket(first);
    compound.addPacket(sdes);
    for (const p of rest) compound.addPacket(p);
    compound.serialize();
    const view = compound.getView();
    const socket = t.rtcpMux ? this.pair.rtp : this.pair.rtcp;
    const plain = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    const data = this.#srtp ? this.#srtp.protectRtcp(plain) : plain;
    if (!data) return false;
    const port = t.rtcpMux ? t.rtpPort : t.rtcpPort;
    const address = t.rtcpMux ? t.address : t.rtcpAddress;
    if (!sent) socket.send(data, port, address);
    else {
      // With a callback, a send error comes here instead of the socket's 'error' event.
      socket.send(data, port, address, (error) => {
        if (error) this.#onSocketError('RTCP', error);
        sent();
      });
    }
    return true;
  }

  /** Socket errors: a failing send repeats 50 times a second. */
  #onSocketError(kind: string, error: Error): void {
    this.#socketErrors.hit((n) => `${kind} socket error (${n} since the last report)`, { error });
  }
}
