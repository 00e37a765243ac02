import type { Clock } from '../../common/clock.js';
import { DelayTarget } from './delay-target.js';
import { DriftEstimator } from './drift-estimator.js';
import { InterarrivalJitter } from './jitter-estimator.js';
import { seqDiff, tsDiff } from './rtp-serial.js';

/**
 * A pull-driven adaptive playout buffer for one RTP audio stream with a fixed frame size.
 *
 * The network side `push`es packets as they arrive; the audio side `pull`s one frame per
 * frame period and gets audio, a request to conceal (the codec does the PLC), or silence.
 * No timers: time comes from the packets' arrivalMs and the Clock at pull time.
 *
 * Timeline. Playout is anchored at a talkspurt start (first packet, a marked packet after
 * a gap, the first packet after silence, or a resync): the first frame plays once it has
 * waited the target delay. From then on every pull plays the next timestamp, so packets
 * are reordered by slot and one arriving after its slot is late and dropped.
 *
 * Misses. A missing frame with later frames queued is a loss: conceal it and move on. A
 * missing frame with nothing queued is an underrun: conceal without moving on (the packet
 * is probably late, and this stretches the delay by one frame, as NetEQ's "expand" does).
 * After `maxConcealFrames` misses in a row the buffer returns silence.
 *
 * Delay control. The delay each played frame waited (pull time - arrival) is smoothed.
 * When it stays more than half a frame above the target, one frame is dropped; when it
 * stays below, one conceal frame is inserted; at most one such step per
 * `CORRECTION_GAP_FRAMES` frames (a 4 % rate bound). This one loop follows both the
 * adaptive target (delay-target.ts, sized from the RFC 3550 interarrival jitter) and clock drift between sender and audio device (a fast sender
 * fills the buffer, a slow one drains it); the drift itself is estimated separately for
 * the stats (drift-estimator.ts).
 *
 * Resync. An SSRC change resets at once (stragglers of the old SSRC are then late for
 * 2 s). A packet far outside the window (a timestamp jump either way, or a playout that
 * stalled) is held; if the next packet confirms the new timeline, or it carries the
 * marker bit, the buffer resets onto it. A lone stray packet resets nothing.
 *
 * Counting: a packet that arrives after its slot was concealed counts in both `lost`
 * (when the slot passed) and `late` (when it came); loss for RTCP belongs to the RTP
 * session, which sees sequence numbers directly.
 */
export interface JitterPacket {
  seq: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payload: Buffer;
  /** Arrival time on the same Clock the buffer was given. */
  arrivalMs: number;
}

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

type State = 'idle' | 'buffering' | 'playing';

const SILENCE: PlayoutFrame = Object.freeze({ kind: 'silence' });
/** Smoothing of the measured delay (per played frame). */
const DELAY_GAIN = 1 / 16;
/** Frames the delay must stay out of band before a drop/insert. */
const CORRECTION_PERSIST_FRAMES = 10;
/** Minimum frames between two drops/inserts: bounds the correction rate to 4 %. */
const CORRECTION_GAP_FRAMES = 25;
/** Half-width of the no-correction band beyond half a frame, ms. */
const CORRECTION_HYSTERESIS_MS = 2;
/** Slots kept before the first packet of a talkspurt, for packets reordered ahead of it. */
const REORDER_BACK_FRAMES = 4;
/** Ring size of remembered sequence numbers, for duplicate detection. */
const SEEN_SIZE = 256;
/** After an SSRC change, packets of the previous SSRC are late, not a new change, for this long. */
const SSRC_HOLD_OFF_MS = 2000;

export class JitterBuffer {
  readonly clockRate: number;
  readonly frameSamples: number;
  readonly frameMs: number;
  readonly maxConcealFrames: number;

  readonly #clock: Clock;
  readonly #target: DelayTarget;
  readonly #jitter: InterarrivalJitter;
  readonly #drift = new DriftEstimator();
  /** Frames a packet may lie ahead of the playout point before it is out of window. */
  readonly #window: number;
  readonly #maxDelayFrames: number;
  readonly #slots: Array<JitterPacket | undefined>;
  /** Absolute frame index each slot's packet belongs to. */
  readonly #slotIndex: Float64Array;
  readonly #mask: number;
  readonly #seen = new Int32Array(SEEN_SIZE).fill(-1);

  #state: State = 'idle';
  #ssrc = 0;
  #previousSsrc: number | undefined;
  #switchedAtMs = 0;
  /** Absolute index and RTP timestamp of the next frame to play. */
  #nextIndex = 0;
  #nextTs = 0;
  #count = 0;
  #spurtArrivalMs = 0;
  #misses = 0;
  #highestSeq: number | undefined;
  #highestSeqTs = 0;
  #candidate: JitterPacket | undefined;
  #delayEma: number | undefined;
  #above = 0;
  #below = 0;
  #sinceCorrection = CORRECTION_GAP_FRAMES;
  #pulls = 0;
  #lastPullMs = 0;
  /** Unwrapped timestamp of the newest packet (for transit times and drift) and its wire value. */
  #extTs = 0;
  #extRef: number | undefined;
  #lastTransitMs: number | undefined;

  readonly #counters = {
    received: 0,
    late: 0,
    lost: 0,
    duplicate: 0,
    concealed: 0,
    inserted: 0,
    dropped: 0,
    tooEarly: 0,
    resets: 0,
  };

  constructor(opts: JitterBufferOptions, clock: Clock) {
    if (!Number.isInteger(opts.clockRate) || opts.clockRate <= 0) throw new RangeError(`clockRate ${opts.clockRate}`);
    if (!Number.isInteger(opts.frameSamples) || opts.frameSamples <= 0) {
      throw new RangeError(`frameSamples ${opts.frameSamples}`);
    }
    this.clockRate = opts.clockRate;
    this.frameSamples = opts.frameSamples;
    this.frameMs = (opts.frameSamples * 1000) / opts.clockRate;
    this.maxConcealFrames = Math.max(0, opts.maxConcealFrames ?? 5);
    const minMs = Math.max(0, opts.minDelayMs ?? 20);
    const maxMs = Math.max(minMs, opts.maxDelayMs ?? 400);
    this.#target = new DelayTarget({ minMs, maxMs, initialMs: opts.initialDelayMs ?? 60 });
    this.#jitter = new InterarrivalJitter(opts.clockRate);
    this.#clock = clock;
    this.#maxDelayFrames = Math.ceil(maxMs / this.frameMs);
    this.#window = 2 * this.#maxDelayFrames + 2 * REORDER_BACK_FRAMES;
    let size = 16;
    while (size < this.#window + REORDER_BACK_FRAMES + 1) size *= 2;
    this.#slots = new Array<JitterPacket | undefined>(size).fill(undefined);
    this.#slotIndex = new Float64Array(size).fill(-1);
    this.#mask = size - 1;
  }

  get stats(): JitterBufferStats {
    return {
      ...this.#counters,
      delayMs: this.#delayEma ?? 0,
      targetDelayMs: this.#target.ms,
      jitterMs: this.#jitter.ms,
      driftPpm: this.#drift.ppm,
      depthFrames: this.#count,
    };
  }

  push(pkt: JitterPacket): PushResult {
    this.#counters.received++;
    if (this.#state === 'idle') {
      this.#ssrc = pkt.ssrc;
      this.#startSpurt(pkt);
      return 'queued';
    }
    if (pkt.ssrc !== this.#ssrc) {
      // Stragglers of the stream we just left must not switch us back to it.
      if (pkt.ssrc === this.#previousSsrc && pkt.arrivalMs - this.#switchedAtMs < SSRC_HOLD_OFF_MS) {
        this.#counters.late++;
        return 'late';
      }
      this.#reset();
      this.#previousSsrc = this.#ssrc;
      this.#switchedAtMs = pkt.arrivalMs;
      this.#ssrc = pkt.ssrc;
      this.#startSpurt(pkt);
      return 'reset';
    }
    const seq = pkt.seq & 0xffff;
    if (this.#seen[seq % SEEN_SIZE] === seq) {
      this.#counters.duplicate++;
      return 'duplicate';
    }
    const newest = this.#highestSeq === undefined || seqDiff(seq, this.#highestSeq) > 0;

    // A talkspurt start into an empty buffer after a gap: re-anchor, applying the current
    // target (RFC 3550 §5.1 marker; also the first packet after we fell silent).
    if (
      this.#state === 'playing' &&
      this.#count === 0 &&
      this.#misses > 0 &&
      newest &&
      (pkt.marker || this.#misses > this.maxConcealFrames)
    ) {
      // Packets skipped by sequence number never arrived: they are lost, not a DTX pause.
      this.#counters.lost += Math.max(0, seqDiff(seq, this.#highestSeq as number) - 1);
      this.#startSpurt(pkt);
      return 'queued';
    }

    const d = this.#framesAhead(pkt.timestamp);
    if (d >= 0 && d < this.#window) {
      if (this.#slotIndex[(this.#nextIndex + d) & this.#mask] === this.#nextIndex + d) {
        this.#markSeen(seq);
        this.#counters.duplicate++;
        return 'duplicate'; // same timestamp under another sequence number
      }
      this.#candidate = undefined;
      this.#store(pkt, d);
      this.#observe(pkt, seq);
      return 'queued';
    }

    const jump = newest && (d >= this.#window || this.#timestampWentBack(pkt, seq));
    if (!jump) {
      this.#markSeen(seq);
      this.#measure(pkt);
      if (d < 0) {
        this.#counters.late++;
        // It needed its lateness on top of the delay frames get now. (A packet later than the
        // largest delay allowed is a straggler from long ago, not a reason to grow.)
        if (-d <= this.#maxDelayFrames) this.#target.raiseTo((this.#delayEma ?? this.#target.ms) - d * this.frameMs);
        return 'late';
      }
      this.#counters.tooEarly++;
      return 'too-early';
    }
    // Out of window with a new sequence number: a timestamp jump, or playout far behind.
    const candidate = this.#candidate;
    if (pkt.marker || (candidate !== undefined && this.#confirms(candidate, pkt))) {
      this.#reset();
      if (candidate !== undefined && !pkt.marker) {
        this.#startSpurt(candidate);
        this.#store(pkt, this.#framesAhead(pkt.timestamp));
        this.#observe(pkt, seq);
      } else {
        this.#startSpurt(pkt);
      }
      return 'reset';
    }
    this.#candidate = pkt;
    if (d < 0) {
      this.#counters.late++;
      return 'late';
    }
    this.#counters.tooEarly++;
    return 'too-early';
  }

  /** One frame period's worth of output. Call exactly once per frame period. */
  pull(): PlayoutFrame {
    const now = this.#clock.now();
    this.#pulls++;
    this.#lastPullMs = now;
    this.#target.update(this.#jitter.ms);
    if (this.#state === 'idle') return SILENCE;
    if (this.#state === 'buffering') {
      if (now + this.frameMs / 2 < this.#spurtArrivalMs + this.#target.ms) return SILENCE;
      if (!this.#beginPlayout()) return SILENCE;
    }
    this.#sinceCorrection++;

    let pkt = this.#slotAt(this.#nextIndex);
    if (pkt === undefined) return this.#miss();

    const upper = this.#target.ms + this.frameMs / 2 + CORRECTION_HYSTERESIS_MS;
    const lower = this.#target.ms - this.frameMs / 2 - CORRECTION_HYSTERESIS_MS;
    if (this.#delayEma !== undefined && this.#sinceCorrection >= CORRECTION_GAP_FRAMES) {
      if (this.#above >= CORRECTION_PERSIST_FRAMES && this.#slotAt(this.#nextIndex + 1) !== undefined) {
        // Too much delay (sender fast, or the target came down): skip one frame.
        this.#take();
        this.#counters.dropped++;
        this.#corrected(-this.frameMs);
        pkt = this.#slotAt(this.#nextIndex) as JitterPacket;
      } else if (this.#below >= CORRECTION_PERSIST_FRAMES) {
        // Too little delay (sender slow, or the target went up): stretch by one frame.
        this.#counters.inserted++;
        this.#counters.concealed++;
        this.#corrected(this.frameMs);
        return { kind: 'conceal', timestamp: this.#nextTs, consecutive: 1 };
      }
    }

    this.#take();
    this.#misses = 0;
    const waited = now - pkt.arrivalMs;
    const smoothed = this.#delayEma === undefined ? waited : this.#delayEma + (waited - this.#delayEma) * DELAY_GAIN;
    this.#delayEma = smoothed;
    this.#above = smoothed > upper ? this.#above + 1 : 0;
    this.#below = smoothed < lower ? this.#below + 1 : 0;
    return { kind: 'audio', payload: pkt.payload, timestamp: pkt.timestamp, seq: pkt.seq };
  }

  /** Drops everything and waits for a new stream. */
  flush(): void {
    this.#reset();
  }

  // ---- playout ------------------------------------------------------------------------

  #miss(): PlayoutFrame {
    this.#misses++;
    const timestamp = this.#nextTs;
    if (this.#count > 0) {
      // A hole with audio behind it: the packet is lost (or late); the timeline moves on.
      this.#counters.lost++;
      this.#advance();
    }
    // With nothing queued this is an underrun: stay on this slot, the packet may yet come.
    if (this.#misses > this.maxConcealFrames) return SILENCE;
    this.#counters.concealed++;
    return { kind: 'conceal', timestamp, consecutive: this.#misses };
  }

  /** End of buffering: start at the earliest queued frame, trimming any backlog. */
  #beginPlayout(): boolean {
    if (this.#count === 0) {
      this.#state = 'idle';
      return false;
    }
    while (this.#slotAt(this.#nextIndex) === undefined) this.#advance();
    // A burst (e.g. after a network stall) may have queued far more than the target:
    // start late enough in it that the newest frame waits about the target.
    // (A count, not a span: a packet reordered from further ahead is not a backlog.)
    const keep = Math.ceil(this.#target.ms / this.frameMs) + 2;
    while (this.#count > keep) {
      if (this.#slotAt(this.#nextIndex) !== undefined) {
        this.#take();
        this.#counters.dropped++;
      } else {
        this.#advance();
      }
    }
    while (this.#slotAt(this.#nextIndex) === undefined) this.#advance();
    this.#state = 'playing';
    this.#misses = 0;
    // Seed the smoothed delay with the talkspurt's first arrival, which waited the target
    // by construction; the first frame played may be a reordered one that waited less.
    this.#delayEma = this.#clock.now() - this.#spurtArrivalMs;
    this.#above = this.#below = 0;
    return true;
  }

  #corrected(deltaMs: number): void {
    this.#sinceCorrection = 0;
    this.#above = this.#below = 0;
    if (this.#delayEma !== undefined) this.#delayEma += deltaMs;
  }

  // ---- arrivals -----------------------------------------------------------------------

  #startSpurt(pkt: JitterPacket): void {
    // A new talkspurt may sit on a shifted timeline (the sender's timestamps need not follow
    // wall time across a pause): do not measure jitter across the boundary, and restart the
    // drift fit if the transit time jumped.
    this.#jitter.restart();
    if (this.#lastTransitMs !== undefined && Math.abs(this.#transitMs(pkt) - this.#lastTransitMs) > 2 * this.frameMs) {
      this.#drift.reset();
    }
    this.#state = 'buffering';
    this.#spurtArrivalMs = pkt.arrivalMs;
    this.#nextTs = ((pkt.timestamp >>> 0) - REORDER_BACK_FRAMES * this.frameSamples) >>> 0;
    this.#misses = 0;
    this.#candidate = undefined;
    this.#store(pkt, REORDER_BACK_FRAMES);
    this.#observe(pkt, pkt.seq & 0xffff);
  }

  /** Bookkeeping for a packet accepted into the timeline. */
  #observe(pkt: JitterPacket, seq: number): void {
    this.#markSeen(seq);
    if (this.#highestSeq === undefined || seqDiff(seq, this.#highestSeq) > 0) {
      this.#highestSeq = seq;
      this.#highestSeqTs = pkt.timestamp >>> 0;
    }
    const ext = this.#measure(pkt);
    if (this.#extRef === undefined || ext > this.#extTs) {
      this.#extTs = ext;
      this.#extRef = pkt.timestamp >>> 0;
    }
    if (this.#pulls > 0) {
      // Where the pull clock stands, in frames, at this arrival.
      const phase = Math.min(1, Math.max(0, (this.#clock.now() - this.#lastPullMs) / this.frameMs));
      this.#drift.add(this.#pulls + phase, ext / this.frameSamples);
    }
  }

  /** Feeds the jitter estimate (late packets too: they are the jitter). Returns the unwrapped timestamp. */
  #measure(pkt: JitterPacket): number {
    this.#jitter.update(pkt.arrivalMs, pkt.timestamp);
    const ext = this.#extend(pkt.timestamp);
    this.#lastTransitMs = pkt.arrivalMs - (ext * 1000) / this.clockRate;
    return ext;
  }

  /** The timestamp unwrapped against the newest one seen (serial arithmetic). */
  #extend(timestamp: number): number {
    const ts = timestamp >>> 0;
    return this.#extRef === undefined ? ts : this.#extTs + tsDiff(ts, this.#extRef);
  }

  #transitMs(pkt: JitterPacket): number {
    return pkt.arrivalMs - (this.#extend(pkt.timestamp) * 1000) / this.clockRate;
  }

  /** The timestamp went backwards relative to the sequence number (a new timeline). */
  #timestampWentBack(pkt: JitterPacket, seq: number): boolean {
    if (this.#highestSeq === undefined) return false;
    const expected = this.#highestSeqTs + seqDiff(seq, this.#highestSeq) * this.frameSamples;
    return tsDiff(pkt.timestamp >>> 0, expected >>> 0) < -2 * this.frameSamples;
  }

  /** `next` continues `held`: a few sequence numbers on, timestamps in step. */
  #confirms(held: JitterPacket, next: JitterPacket): boolean {
    const ds = seqDiff(next.seq & 0xffff, held.seq & 0xffff);
    if (ds < 1 || ds > 3) return false;
    const dt = tsDiff(next.timestamp >>> 0, held.timestamp >>> 0);
    return Math.abs(dt - ds * this.frameSamples) <= this.frameSamples / 2;
  }

  #markSeen(seq: number): void {
    this.#seen[seq % SEEN_SIZE] = seq;
  }

  // ---- slots --------------------------------------------------------------------------

  /** Whole frames from the playout point to `timestamp` (rounded: tolerates odd offsets). */
  #framesAhead(timestamp: number): number {
    return Math.round(tsDiff(timestamp >>> 0, this.#nextTs) / this.frameSamples);
  }

  /**
   * Slots are cleared as they are played or skipped and the ring is larger than the
   * window, so a slot in the window is free unless it holds this very index.
   */
  #store(pkt: JitterPacket, ahead: number): void {
    const index = this.#nextIndex + ahead;
    const i = index & this.#mask;
    if (this.#slots[i] === undefined) this.#count++;
    this.#slots[i] = pkt;
    this.#slotIndex[i] = index;
  }

  #slotAt(index: number): JitterPacket | undefined {
    const i = index & this.#mask;
    return this.#slotIndex[i] === index ? this.#slots[i] : undefined;
  }

  /** Removes the frame at the playout point and moves on. */
  #take(): void {
    const i = this.#nextIndex & this.#mask;
    if (this.#slotIndex[i] === this.#nextIndex && this.#slots[i] !== undefined) {
      this.#slots[i] = undefined;
      this.#slotIndex[i] = -1;
      this.#count--;
    }
    this.#advance();
  }

  #advance(): void {
    this.#nextIndex++;
    this.#nextTs = (this.#nextTs + this.frameSamples) >>> 0;
  }

  #reset(): void {
    if (this.#state !== 'idle') this.#counters.resets++;
    this.#counters.dropped += this.#count;
    this.#slots.fill(undefined);
    this.#slotIndex.fill(-1);
    this.#seen.fill(-1);
    this.#count = 0;
    this.#state = 'idle';
    this.#highestSeq = undefined;
    this.#candidate = undefined;
    this.#delayEma = undefined;
    this.#misses = 0;
    this.#above = this.#below = 0;
    this.#extRef = undefined;
    this.#lastTransitMs = undefined;
    this.#jitter.restart();
    this.#drift.reset();
  }
}
