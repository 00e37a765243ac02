import { isIP } from 'node:net';

/** An IP address (as the socket reports it) and a port. */
export interface Endpoint {
  address: string;
  port: number;
}

/** What SDP says about the far end's media (the fields of RtpTarget the guard needs). */
export interface ExpectedMedia {
  address: string;
  rtpPort: number;
  rtcpAddress: string;
  rtcpPort: number;
  rtcpMux: boolean;
}

export interface RtpSourceGuardOptions {
  /**
   * Symmetric RTP (comedia, for a far end behind NAT): allowed to latch ONCE, at the start of
   * the call, onto a source other than the SDP's, if its IP is the SDP's or the signalling peer's.
   */
  symmetric: boolean;
  /** The IP the call's SIP came from (the PBX or its proxy): media may come from there too. */
  signallingPeerIp?: string;
  /** Packets in a row (one SSRC, one ip:port) that make a latch or a new SSRC; default 3. */
  confirmPackets?: number;
}

/** accept: deliver it. latched: deliver it, and send to its source from now on. drop: not the far end's. */
export type SourceVerdict = 'accept' | 'latched' | 'drop';

/**
 * Issue 12 item 4, "RTP only from the far end": decides, per datagram, whether RTP or RTCP
 * comes from the far end the PBX described, so that a stranger who guesses our port can
 * neither be heard nor take the call's outgoing audio.
 *
 * - RTP is accepted from the SDP's ip:port. With symmetric RTP, before anything was accepted,
 *   the guard may latch once onto another ip:port whose IP is the SDP's connection address or
 *   the signalling peer's, after `confirmPackets` packets in a row of one SSRC from it. It
 *   never latches again for the rest of the call (silence is no reason), only after a new
 *   SDP target (re-INVITE), which starts over.
 * - One SSRC at a time: a new one from the accepted source replaces the old after
 *   `confirmPackets` packets in a row (a media server switching streams). Two SSRCs
 *   interleaved from one source are not supported: the newer one is dropped.
 * - RTCP follows the same rule on its own port: from the SDP's RTCP ip:port, or latched once
 *   to an allowed IP whose report names the accepted RTP SSRC as sender. RTCP on the RTP port
 *   (rtcp-mux, or a peer that sends it there) is accepted from the accepted RTP source only.
 */
export class RtpSourceGuard {
  readonly #confirm: number;
  #expected: ExpectedMedia | undefined;
  #allowedIps = new Set<string>();
  #rtp: Endpoint | undefined;
  #rtcp: Endpoint | undefined;
  /** No more latching: a packet was accepted, or a latch happened. */
  #rtpLocked = false;
  #rtcpLocked = false;
  #ssrc: number | undefined;
  #latchCandidate: (Endpoint & { ssrc: number; count: number }) | undefined;
  #ssrcCandidate: { ssrc: number; count: number } | undefined;

  constructor(private readonly opts: RtpSourceGuardOptions) {
    this.#confirm = Math.max(1, opts.confirmPackets ?? 3);
  }

  /** Where accepted RTP comes from (the SDP's, or the latched source). */
  get rtpSource(): Endpoint | undefined {
    return this.#rtp;
  }

  get rtcpSource(): Endpoint | undefined {
    return this.#rtcp;
  }

  /** The SSRC whose packets are delivered. */
  get ssrc(): number | undefined {
    return this.#ssrc;
  }

  /**
   * The SDP's target (undefined: none, drop everything). Returns true when it differs from
   * the last one: the guard then starts over (new sources, a new latch allowed).
   */
  expect(target: ExpectedMedia | undefined): boolean {
    const e = this.#expected;
    if (target && e && e.address === target.address && e.rtpPort === target.rtpPort && e.rtcpAddress === target.rtcpAddress && e.rtcpPort === target.rtcpPort && e.rtcpMux === target.rtcpMux) return false;
    this.#expected = target ? { ...target } : undefined;
    this.#rtpLocked = this.#rtcpLocked = false;
    this.#ssrc = undefined;
    this.#latchCandidate = this.#ssrcCandidate = undefined;
    if (!target) {
      this.#rtp = this.#rtcp = undefined;
      this.#allowedIps.clear();
      return true;
    }
    this.#rtp = { address: canonicalIp(target.address), port: target.rtpPort };
    this.#rtcp = target.rtcpMux ? this.#rtp : { address: canonicalIp(target.rtcpAddress), port: target.rtcpPort };
    this.#allowedIps = new Set([target.address, target.rtcpAddress, this.opts.signallingPeerIp].filter((a): a is string => a !== undefined && isIP(a) !== 0).map(canonicalIp));
    return true;
  }

  /** An RTP packet of `ssrc` from `from`. */
  checkRtp(from: Endpoint, ssrc: number): SourceVerdict {
    if (!this.#expected) return 'drop';
    if (same(from, this.#rtp)) {
      this.#latchCandidate = undefined;
      this.#rtpLocked = true;
      return this.#checkSsrc(ssrc);
    }
    if (this.#rtpLocked || !this.opts.symmetric || !this.#allowedIps.has(canonicalIp(from.address))) return 'drop';
    // Count packets in a row from one allowed source; strangers' packets (dropped above) do not break the run.
    const c = this.#latchCandidate;
    if (c && c.address === from.address && c.port === from.port && c.ssrc === ssrc) c.count++;
    else this.#latchCandidate = { address: from.address, port: from.port, ssrc, count: 1 };
    if (this.#latchCandidate!.count < this.#confirm) return 'drop';
    this.#rtp = { address: canonicalIp(from.address), port: from.port };
    if (this.#expected.rtcpMux) this.#rtcp = this.#rtp;
    this.#rtpLocked = true;
    this.#ssrc = ssrc;
    this.#latchCandidate = this.#ssrcCandidate = undefined;
    return 'latched';
  }

  /** An RTCP packet from `from`, on the RTP socket or the RTCP one, whose first report is from `senderSsrc`. */
  checkRtcp(from: Endpoint, onRtpSocket: boolean, senderSsrc: number): SourceVerdict {
    if (!this.#expected) return 'drop';
    if (onRtpSocket) return same(from, this.#rtp) ? 'accept' : 'drop';
    if (same(from, this.#rtcp)) {
      this.#rtcpLocked = true;
      return 'accept';
    }
    const ip = canonicalIp(from.address);
    const allowed = this.#allowedIps.has(ip) || ip === this.#rtp?.address;
    if (this.#rtcpLocked || !this.opts.symmetric || !allowed || this.#ssrc === undefined || senderSsrc !== this.#ssrc) return 'drop';
    this.#rtcp = { address: ip, port: from.port };
    this.#rtcpLocked = true;
    return 'latched';
  }

  #checkSsrc(ssrc: number): SourceVerdict {
    if (this.#ssrc === undefined || ssrc === this.#ssrc) {
      this.#ssrc = ssrc;
      this.#ssrcCandidate = undefined;
      return 'accept';
    }
    const c = this.#ssrcCandidate;
    if (c && c.ssrc === ssrc) c.count++;
    else this.#ssrcCandidate = { ssrc, count: 1 };
    if (this.#ssrcCandidate!.count < this.#confirm) return 'drop';
    this.#ssrc = ssrc;
    this.#ssrcCandidate = undefined;
    return 'accept';
  }
}

function same(from: Endpoint, e: Endpoint | undefined): boolean {
  return e !== undefined && from.port === e.port && (from.address === e.address || canonicalIp(from.address) === e.address);
}

/** One spelling per address: IPv4-mapped IPv6 as IPv4, IPv6 compressed and lower-case (as sockets report it). */
export function canonicalIp(address: string): string {
  const a = address.toLowerCase();
  if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) return a.slice(7);
  if (isIP(a) !== 6) return a;
  try {
    return new URL(`http://[${a}]/`).hostname.slice(1, -1);
  } catch {
    return a;
  }
}
