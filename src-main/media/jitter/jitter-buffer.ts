import type { Clock } from '../../common/clock.js';
import { ArrivalTimeline } from './arrival-timeline.js';
import { DelayTarget } from './delay-target.js';
import type { JitterBufferOptions, JitterBufferStats, JitterPacket, PlayoutFrame, PushResult } from './jitter-types.js';
import { PacketStore } from './packet-store.js';
import { seqDiff, tsDiff } from './rtp-serial.js';
import { SeenSequences } from './seen-sequences.js';

export type { JitterBufferOptions, JitterBufferStats, JitterPacket, PlayoutFrame, PushResult } from './jitter-types.js';

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
 * Where things are: the packets by slot and the playout point in packet-store.ts, duplicate
 * detection in seen-sequences.ts, jitter and drift in arrival-timeline.ts; the decisions here.
 *
 * Counting: a packet that arrives after its slot was concealed counts in both `lost`
 * (when the slot passed) and `late` (when it came); loss for RTCP belongs to the RTP
 * session, which sees sequence numbers directly.
 */
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
/** After an SSRC change, packets of the previous SSRC are late, not a new change, for this long. */
const SSRC_HOLD_OFF_MS = 2000;

export class JitterBuffer {
  readonly clockRate: number;
  readonly frameSamples: number;
  readonly frameMs: number;
  readonly maxConcealFrames: number;

  readonly #clock: Clock;
  readonly #target: DelayTarget;
  readonly #arrivals: ArrivalTimeline;
  /** Frames a packet may lie ahead of the playout point before it is out of window. */
  readonly #window: number;
  readonly #maxDelayFrames: number;
  readonly #store: PacketStore;
  readonly #seen = new SeenSequences();

  #state: State = 'idle';
  #ssrc = 0;
  #previousSsrc: number | undefined;
  #switchedAtMs = 0;
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
    // Never aim below one packet: a frame that is still arriving cannot be played (30 ms
    // packets under a 20 ms target underran on every scheduling hiccup).
    const minMs = Math.max(0, opts.minDelayMs ?? 20, this.frameMs);
    const maxMs = Math.max(minMs, opts.maxDelayMs ?? 400);
    this.#target = new DelayTarget({ minMs, maxMs, initialMs: opts.initialDelayMs ?? 60 });
    this.#arrivals = new ArrivalTimeline(opts.clockRate);
    this.#clock = clock;
    this.#maxDelayFrames = Math.ceil(maxMs / this.frameMs);
    this.#window = 2 * this.#maxDelayFrames + 2 * REORDER_BACK_FRAMES;
    this.#store = new PacketStore(opts.frameSamples, this.#window + REORDER_BACK_FRAMES + 1);
  }

  get stats(): JitterBufferStats {
    return {
      ...this.#counters,
      delayMs: this.#delayEma ?? 0,
      targetDelayMs: this.#target.ms,
      jitterMs: this.#arrivals.jitter.ms,
      driftPpm: this.#arrivals.drift.ppm,
      depthFrames: this.#store.count,
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
    if (this.#seen.has(seq)) {
      this.#counters.duplicate++;
      return 'duplicate';
    }
    const newest = this.#highestSeq === undefined || seqDiff(seq, this.#highestSeq) > 0;

    // A talkspurt start into an empty buffer after a gap: re-anchor, applying the current
    // target (RFC 3550 §5.1 marker; also the first packet after we fell silent).
    if (
      this.#state === 'playing' &&
      this.#store.count === 0 &&
      this.#misses > 0 &&
      newest &&
      (pkt.marker || this.#misses > this.maxConcealFrames)
    ) {
      // Packets skipped by sequence number never arrived: they are lost, not a DTX pause.
      this.#counters.lost += Math.max(0, seqDiff(seq, this.#highestSeq as number) - 1);
      this.#startSpurt(pkt);
      return 'queued';
    }

    const d = this.#store.framesAhead(pkt.timestamp);
    if (d >= 0 && d < this.#window) {
      if (this.#store.holds(d)) {
        this.#seen.mark(seq);
        this.#counters.duplicate++;
        return 'duplicate'; // same timestamp under another sequence number
      }
      this.#candidate = undefined;
      this.#store.store(pkt, d);
      this.#observe(pkt, seq);
      return 'queued';
    }

    const jump = newest && (d >= this.#window || this.#timestampWentBack(pkt, seq));
    if (!jump) {
      this.#seen.mark(seq);
      this.#arrivals.measure(pkt);
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
        this.#store.store(pkt, this.#store.framesAhead(pkt.timestamp));
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
    this.#target.update(this.#arrivals.jitter.ms);
    if (this.#state === 'idle') return SILENCE;
    if (this.#state === 'buffering') {
      if (now + this.frameMs / 2 < this.#spurtArrivalMs + this.#target.ms) return SILENCE;
      if (!this.#beginPlayout()) return SILENCE;
    }
    this.#sinceCorrection++;

    let pkt = this.#store.at();
    if (pkt === undefined) return this.#miss();

    const upper = this.#target.ms + this.frameMs / 2 + CORRECTION_HYSTERESIS_MS;
    const lower = this.#target.ms - this.frameMs / 2 - CORRECTION_HYSTERESIS_MS;
    if (this.#delayEma !== undefined && this.#sinceCorrection >= CORRECTION_GAP_FRAMES) {
      const following = this.#store.at(1);
      if (this.#above >= CORRECTION_PERSIST_FRAMES && following !== undefined) {
        // Too much delay (sender fast, or the target came down): skip one frame.
        this.#store.take();
        this.#counters.dropped++;
        this.#corrected(-this.frameMs);
        pkt = following;
      } else if (this.#below >= CORRECTION_PERSIST_FRAMES) {
        // Too little delay (sender slow, or the target went up): stretch by one frame.
        this.#counters.inserted++;
        this.#counters.concealed++;
        this.#corrected(this.frameMs);
        return { kind: 'conceal', timestamp: this.#store.nextTs, consecutive: 1 };
      }
    }

    this.#store.take();
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
    const timestamp = this.#store.nextTs;
    if (this.#store.count > 0) {
      // A hole with audio behind it: the packet is lost (or late); the timeline moves on.
      this.#counters.lost++;
      this.#store.advance();
    }
    // With nothing queued this is an underrun: stay on this slot, the packet may yet come.
    if (this.#misses > this.maxConcealFrames) return SILENCE;
    this.#counters.concealed++;
    return { kind: 'conceal', timestamp, consecutive: this.#misses };
  }

  /** End of buffering: start at the earliest queued frame, trimming any backlog. */
  #beginPlayout(): boolean {
    const store = this.#store;
    if (store.count === 0) {
      this.#state = 'idle';
      return false;
    }
    while (store.at() === undefined) store.advance();
    // A burst (e.g. after a network stall) may have queued far more than the target:
    // start late enough in it that the newest frame waits about the target.
    // (A count, not a span: a packet reordered from further ahead is not a backlog.)
    const keep = Math.ceil(this.#target.ms / this.frameMs) + 2;
    while (store.count > keep) {
      if (store.at() !== undefined) {
        store.take();
        this.#counters.dropped++;
      } else {
        store.advance();
      }
    }
    while (store.at() === undefined) store.advance();
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
    this.#arrivals.newSpurt(pkt, 2 * this.frameMs);
    this.#state = 'buffering';
    this.#spurtArrivalMs = pkt.arrivalMs;
    this.#store.nextTs = (pkt.timestamp >>> 0) - REORDER_BACK_FRAMES * this.frameSamples;
    this.#misses = 0;
    this.#candidate = undefined;
    this.#store.store(pkt, REORDER_BACK_FRAMES);
    this.#observe(pkt, pkt.seq & 0xffff);
  }

  /** Bookkeeping for a packet accepted into the timeline. */
  #observe(pkt: JitterPacket, seq: number): void {
    this.#seen.mark(seq);
    if (this.#highestSeq === undefined || seqDiff(seq, this.#highestSeq) > 0) {
      this.#highestSeq = seq;
      this.#highestSeqTs = pkt.timestamp >>> 0;
    }
    const ext = this.#arrivals.accept(pkt);
    if (this.#pulls > 0) {
      // Where the pull clock stands, in frames, at this arrival.
      const phase = Math.min(1, Math.max(0, (this.#clock.now() - this.#lastPullMs) / this.frameMs));
      this.#arrivals.drift.add(this.#pulls + phase, ext / this.frameSamples);
    }
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

  #reset(): void {
    if (this.#state !== 'idle') this.#counters.resets++;
    this.#counters.dropped += this.#store.clear();
    this.#seen.clear();
    this.#state = 'idle';
    this.#highestSeq = undefined;
    this.#candidate = undefined;
    this.#delayEma = undefined;
    this.#misses = 0;
    this.#above = this.#below = 0;
    this.#arrivals.reset();
  }
}
