import type { IncomingRtp } from '../rtp/incoming-rtp.js';

/** What the jitter buffer stores: a received RTP packet (its payload type is the caller's business). */
export type JitterPacket = Omit<IncomingRtp, 'payloadType'>;

export type PlayoutFrame =
  | { kind: 'audio'; payload: Buffer; timestamp: number; seq: number }
  /** The frame at `timestamp` is missing: run the codec's PLC; `consecutive` counts from 1. */
  | { kind: 'conceal'; timestamp: number; consecutive: number }
  // (During an underrun the same timestamp repeats: the buffer is still waiting for it.)
  /** Nothing to play: output silence (or comfort noise). */
  | { kind: 'silence' };

/**
 * - queued: stored for playout.
 * - late: its slot has passed (or it is older than the playout point); dropped.
 * - duplicate: this sequence number was already received; dropped.
 * - too-early: far ahead of the playout window; held as a resync candidate (see class doc).
 * - reset: the buffer restarted on this packet (new SSRC, or a confirmed timestamp jump).
 */
export type PushResult = 'queued' | 'late' | 'duplicate' | 'too-early' | 'reset';

export interface JitterBufferOptions {
  /** RTP clock rate, e.g. 8000 (G.711) or 48000 (Opus). */
  clockRate: number;
  /** Samples per frame (= timestamp units per packet), e.g. 160 or 960 for 20 ms. */
  frameSamples: number;
  /** Lower bound of the target delay. Default 20 ms. */
  minDelayMs?: number;
  /** Upper bound of the target delay. Default 400 ms. */
  maxDelayMs?: number;
  /** Target delay before any jitter is measured. Default 60 ms. */
  initialDelayMs?: number;
  /** Consecutive conceal frames before silence. Default 5 (100 ms at 20 ms). */
  maxConcealFrames?: number;
}

export interface JitterBufferStats {
  /** Smoothed time the played frames waited in the buffer: the delay it adds. */
  delayMs: number;
  targetDelayMs: number;
  /** RFC 3550 interarrival jitter. */
  jitterMs: number;
  /** Packets pushed. */
  received: number;
  /** Packets dropped because their slot had passed. */
  late: number;
  /** Slots passed with no packet while later ones were queued. */
  lost: number;
  duplicate: number;
  /** Conceal frames returned (losses, underruns and insertions). */
  concealed: number;
  /** Conceal frames inserted by the delay control (included in concealed). */
  inserted: number;
  /** Frames discarded: delay control, backlog trimmed at a talkspurt start, or a reset. */
  dropped: number;
  /** Packets held as too-early. */
  tooEarly: number;
  /** Restarts on a new SSRC or a timestamp jump. */
  resets: number;
  /** Sender clock vs the pull clock, ppm: positive when the sender runs fast. */
  driftPpm: number;
  /** Packets waiting in the buffer. */
  depthFrames: number;
}
