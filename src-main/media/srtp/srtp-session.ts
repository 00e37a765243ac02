import { deriveSessionKeys, type SessionKeys } from './key-derivation.js';
import { ReplayWindow } from './replay-window.js';
import { advanceRollover, guessRoc, packetIndex, type RolloverState } from './rollover.js';
import { SRTP_SUITES, type SrtpMasterKey, type SrtpSuiteName } from './srtp-suites.js';
import { SRTCP_INDEX_LENGTH, decryptRtcpPacket, decryptRtpPacket, protectRtcpPacket, protectRtpPacket, rtpHeaderLength, srtcpIndexOf, verifyRtcpTag, verifyRtpTag } from './srtp-transform.js';

/** Why a received packet was dropped. */
export type SrtpDropReason =
  /** Not an RTP/RTCP version 2 packet, or too short to hold a header and a tag. */
  | 'malformed'
  /** The tag does not match: wrong key, or the packet was changed on the way. */
  | 'auth-failed'
  /** Already received (RFC 3711 §3.3.2). */
  | 'replayed'
  /** Behind the replay window: it cannot be told from a replay. */
  | 'too-old'
  /** The far end's master key has reached its lifetime (SDES `|lifetime`) or the index space. */
  | 'key-exhausted';

export type UnprotectResult = { ok: true; packet: Buffer } | { ok: false; reason: SrtpDropReason };

export interface SrtpSessionOptions {
  suite: SrtpSuiteName;
  /** Our master key: protects what we send (the key in our SDP). */
  local: SrtpMasterKey;
  /** The far end's master key: unprotects what we receive (the key in its SDP). */
  remote: SrtpMasterKey;
  /** Replay window, packets (at least 64; default 128). */
  replayWindow?: number;
  /** Packets (SRTP and SRTCP together) each master key may protect: SDES `|lifetime`. Default: the index space. */
  localLifetime?: number;
  remoteLifetime?: number;
}

/** Receive state of one SRTP source. */
interface RtpSource {
  rollover: RolloverState;
  replay: ReplayWindow;
}

/** SSRCs whose receive state is kept; only authenticated packets create one, so only the far end's own streams count. */
const MAX_SOURCES = 16;
/** RFC 3711 §3.3.1 / §3.4: 2^48 SRTP packets, 2^31 SRTCP packets per master key. */
const MAX_ROC = 0xffffffff;
const MAX_SRTCP_INDEX = 0x7fffffff;

/**
 * The SRTP/SRTCP crypto contexts of one call's media, both ways (RFC 3711, keys from SDES,
 * key derivation rate 0). protect* take one plain RTP or RTCP packet and return it protected,
 * or undefined when it cannot be (malformed, key used up). unprotect* take what came off the
 * wire and never throw: a hostile datagram gets a typed reason. State moves only for
 * packets that authenticated, so forged packets can neither shift the ROC nor fill the
 * replay list.
 */
export class SrtpSession {
  readonly suite: SrtpSuiteName;
  readonly #suite: (typeof SRTP_SUITES)[SrtpSuiteName];
  readonly #rtpTag: number;
  readonly #rtcpTag: number;
  readonly #tx: { rtp: SessionKeys; rtcp: SessionKeys };
  #rx: { rtp: SessionKeys; rtcp: SessionKeys };
  readonly #window: number;
  readonly #txRtp = new Map<number, RolloverState>();
  readonly #txRtcp = new Map<number, number>();
  readonly #rxRtp = new Map<number, RtpSource>();
  readonly #rxRtcp = new Map<number, ReplayWindow>();
  readonly #txLifetime: number;
  #rxLifetime: number;
  #txUsed = 0;
  #rxUsed = 0;
  /** Dropped packets by reason, for logs and tests. */
  readonly drops: Record<SrtpDropReason, number> = { malformed: 0, 'auth-failed': 0, replayed: 0, 'too-old': 0, 'key-exhausted': 0 };

  /** Throws RangeError on keys of the wrong length (a programming error: SDES parsing checks them). */
  constructor(o: SrtpSessionOptions) {
    const suite = SRTP_SUITES[o.suite];
    if (!suite) throw new RangeError(`unsupported SRTP suite ${String(o.suite)}`);
    this.suite = suite.name;
    this.#suite = suite;
    this.#rtpTag = suite.rtpTagLength;
    this.#rtcpTag = suite.rtcpTagLength;
    this.#tx = { rtp: deriveSessionKeys(o.local, suite, 'rtp'), rtcp: deriveSessionKeys(o.local, suite, 'rtcp') };
    this.#rx = { rtp: deriveSessionKeys(o.remote, suite, 'rtp'), rtcp: deriveSessionKeys(o.remote, suite, 'rtcp') };
    this.#window = o.replayWindow ?? 128;
    new ReplayWindow(this.#window); // validates the size now rather than at the first packet
    this.#txLifetime = o.localLifetime ?? Number.MAX_SAFE_INTEGER;
    this.#rxLifetime = o.remoteLifetime ?? Number.MAX_SAFE_INTEGER;
  }

  /**
   * The far end changed its key (a re-INVITE) while ours stays: its streams start afresh
   * (rollover counters, replay lists, the key's lifetime), what we send goes on with the same
   * context. A new key of ours needs a new SrtpSession instead.
   */
  replaceRemoteKey(remote: SrtpMasterKey, lifetime?: number): void {
    this.#rx = { rtp: deriveSessionKeys(remote, this.#suite, 'rtp'), rtcp: deriveSessionKeys(remote, this.#suite, 'rtcp') };
    this.#rxRtp.clear();
    this.#rxRtcp.clear();
    this.#rxUsed = 0;
    this.#rxLifetime = lifetime ?? Number.MAX_SAFE_INTEGER;
  }

  /** One RTP packet, protected; undefined when it is not RTP or our key is used up. */
  protectRtp(packet: Uint8Array): Buffer | undefined {
    const header = rtpHeaderLength(packet);
    if (header === undefined || this.#txUsed >= this.#txLifetime) return undefined;
    const seq = (packet[2]! << 8) | packet[3]!;
    const ssrc = readU32(packet, 8);
    let st = this.#txRtp.get(ssrc);
    if (!st) this.#txRtp.set(ssrc, (st = { roc: 0, highestSeq: seq }));
    // Our own sequence numbers only move forward: the receiver's guess, applied to them, is exact.
    const v = guessRoc(st, seq);
    if (v < 0 || v > MAX_ROC) return undefined;
    advanceRollover(st, v, seq);
    this.#txUsed++;
    return protectRtpPacket(this.#tx.rtp, this.#rtpTag, packet, header, v);
  }

  unprotectRtp(srtp: Uint8Array): UnprotectResult {
    const header = rtpHeaderLength(srtp);
    if (header === undefined || srtp.length < header + this.#rtpTag) return this.#drop('malformed');
    const seq = (srtp[2]! << 8) | srtp[3]!;
    const ssrc = readU32(srtp, 8);
    const source = this.#rxRtp.get(ssrc);
    const v = source ? guessRoc(source.rollover, seq) : 0;
    if (v < 0) return this.#drop('too-old');
    if (v > MAX_ROC || this.#rxUsed >= this.#rxLifetime) return this.#drop('key-exhausted');
    const index = packetIndex(v, seq);
    if (source) {
      const verdict = source.replay.check(index);
      if (verdict !== 'new') return this.#drop(verdict);
    }
    if (!verifyRtpTag(this.#rx.rtp, this.#rtpTag, srtp, v)) return this.#drop('auth-failed');
    const packet = decryptRtpPacket(this.#rx.rtp, this.#rtpTag, srtp, header, v);
    const s = source ?? this.#newSource(ssrc, seq);
    advanceRollover(s.rollover, v, seq);
    s.replay.mark(index);
    this.#rxUsed++;
    return { ok: true, packet };
  }

  /** One RTCP compound packet, protected with the next SRTCP index of its sender SSRC. */
  protectRtcp(packet: Uint8Array): Buffer | undefined {
    if (packet.length < 8 || packet[0]! >> 6 !== 2 || this.#txUsed >= this.#txLifetime) return undefined;
    const ssrc = readU32(packet, 4);
    // RFC 3711 §3.3.1: the SRTCP index starts at 0 and counts every packet sent.
    const index = (this.#txRtcp.get(ssrc) ?? -1) + 1;
    if (index > MAX_SRTCP_INDEX) return undefined;
    this.#txRtcp.set(ssrc, index);
    this.#txUsed++;
    return protectRtcpPacket(this.#tx.rtcp, this.#rtcpTag, packet, index);
  }

  unprotectRtcp(srtcp: Uint8Array): UnprotectResult {
    if (srtcp.length < 8 + SRTCP_INDEX_LENGTH + this.#rtcpTag || srtcp[0]! >> 6 !== 2) return this.#drop('malformed');
    if (this.#rxUsed >= this.#rxLifetime) return this.#drop('key-exhausted');
    const ssrc = readU32(srtcp, 4);
    const { index } = srtcpIndexOf(srtcp, this.#rtcpTag);
    const replay = this.#rxRtcp.get(ssrc);
    const verdict = replay ? replay.check(index) : 'new';
    if (verdict !== 'new') return this.#drop(verdict);
    if (!verifyRtcpTag(this.#rx.rtcp, this.#rtcpTag, srtcp)) return this.#drop('auth-failed');
    const packet = decryptRtcpPacket(this.#rx.rtcp, this.#rtcpTag, srtcp);
    let w = replay;
    if (!w) {
      evictOldest(this.#rxRtcp);
      this.#rxRtcp.set(ssrc, (w = new ReplayWindow(this.#window)));
    }
    w.mark(index);
    this.#rxUsed++;
    return { ok: true, packet };
  }

  #newSource(ssrc: number, seq: number): RtpSource {
    evictOldest(this.#rxRtp);
    // RFC 3711 §3.3.1: s_l starts at the first sequence number seen, the ROC at 0.
    const s = { rollover: { roc: 0, highestSeq: seq }, replay: new ReplayWindow(this.#window) };
    this.#rxRtp.set(ssrc, s);
    return s;
  }

  #drop(reason: SrtpDropReason): UnprotectResult {
    this.drops[reason]++;
    return { ok: false, reason };
  }
}

function readU32(p: Uint8Array, at: number): number {
  return ((p[at]! << 24) | (p[at + 1]! << 16) | (p[at + 2]! << 8) | p[at + 3]!) >>> 0;
}

function evictOldest<V>(m: Map<number, V>): void {
  if (m.size < MAX_SOURCES) return;
  const first = m.keys().next();
  if (!first.done) m.delete(first.value);
}
