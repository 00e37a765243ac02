import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { DeviceClient } from '../audio-router.js';
import { RateLimitedWarning } from '../rtp/rate-limited-warning.js';
import type { DeviceRings } from './media-protocol.js';
import { PcmRing } from './pcm-ring.js';

/** Frames kept ahead in the playout ring at most, however late this worker has been. */
const MAX_AHEAD_FRAMES = 3;
/** Frames rendered ahead while the main thread does not read (it stalls), at most. */
const MAX_STALL_FRAMES = 5;
/**
 * A read this much later than one period counts as a stall: one frame is rendered ahead then.
 * Early enough that a late callback followed at once by the next (two reads back to back) finds
 * two frames; a frame too many drains by itself at the next read.
 */
const STALL_AFTER_PERIODS = 1.25;
/** After this long without an underrun, one frame less is kept ahead (down to one). */
const SETTLE_MS = 20_000;

/**
 * The worker's end of a device-mode call: the sound card (main thread) reads the call's
 * playout from a shared ring and writes the microphone into another (device-bridge.ts). Each
 * time the card takes a frame, this renders the next one (the call's jitter buffer is pulled
 * at the card's pace, as before); each captured frame goes to the call as it lands.
 *
 * One frame waits in the playout ring for the card: that is what the split costs in latency.
 * When the main thread stalls, the card plays what audify queued while the frames it did not
 * ask for pile up; so while it does not read, one frame per period is rendered ahead anyway
 * (up to MAX_STALL_FRAMES), and the burst of reads that follows the stall finds them, as it
 * found them when the main thread rendered on demand. When the card still found the ring
 * short (this worker was late), one more frame is kept ahead, up to MAX_AHEAD_FRAMES, and one
 * less again after SETTLE_MS without it happening.
 */
export class WorkerDeviceLink {
  readonly #playout: PcmRing;
  readonly #capture: PcmRing;
  readonly #frame: Int16Array;
  readonly #frameMs: number;
  readonly #failures: RateLimitedWarning;
  #aheadFrames = 1;
  #underrunsSeen = 0;
  #lastUnderrunAt: number;
  #stall: TimerHandle | undefined;
  #stopped = false;

  constructor(
    rings: DeviceRings,
    private readonly client: DeviceClient,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.#playout = new PcmRing(rings.playout);
    this.#capture = new PcmRing(rings.capture);
    this.#frame = new Int16Array(rings.frameSamples);
    this.#frameMs = rings.frameMs;
    this.#underrunsSeen = this.#playout.underruns;
    this.#lastUnderrunAt = clock.now();
    this.#failures = new RateLimitedWarning(clock, log);
  }

  /** Frames kept ahead now (tests, logs). */
  get aheadFrames(): number {
    return this.#aheadFrames;
  }

  /** Starts both directions; returns the stop function. */
  start(): () => void {
    void this.#playoutLoop();
    void this.#captureLoop();
    return () => this.stop();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stall?.cancel();
    // Wake our own waits (the rings stay the main thread's; it closes them).
    this.#playout.wake();
    this.#capture.wake();
  }

  async #playoutLoop(): Promise<void> {
    const ring = this.#playout;
    while (!this.#stopped && !ring.closed) {
      const seen = ring.readCount;
      this.#followUnderruns(ring);
      while (ring.available < this.#aheadFrames * this.#frame.length && this.#render()) {
        // rendered one more
      }
      this.#watchForStall(STALL_AFTER_PERIODS);
      await ring.readMoved(seen);
    }
    this.#stall?.cancel();
  }

  /** No read within `periods` frame periods: the main thread stalls; render one ahead, and watch again. */
  #watchForStall(periods: number): void {
    this.#stall?.cancel();
    const reads = this.#playout.readCount;
    this.#stall = this.clock.setTimeout(() => {
      const ring = this.#playout;
      // A read this worker has not seen yet is no stall: the playout loop is about to run.
      if (this.#stopped || ring.closed || ring.readCount !== reads) return;
      if (ring.available < MAX_STALL_FRAMES * this.#frame.length) this.#render();
      this.#watchForStall(1);
    }, periods * this.#frameMs);
  }

  /** One frame of the call's audio into the ring; false when it has no room. */
  #render(): boolean {
    const ring = this.#playout;
    const frame = this.#frame;
    if (ring.capacity - ring.available < frame.length) return false;
    frame.fill(0);
    try {
      this.client.renderPlayout(frame);
    } catch (error) {
      this.#failures.hit((n) => `a device frame failed (${n} since the last report)`, { error });
      frame.fill(0);
    }
    ring.write(frame);
    return true;
  }

  async #captureLoop(): Promise<void> {
    const ring = this.#capture;
    const frame = new Int16Array(this.#frame.length);
    while (!this.#stopped && !ring.closed) {
      const seen = ring.writeCount;
      while (ring.available >= frame.length && !this.#stopped) {
        ring.read(frame);
        try {
          this.client.takeCapture(frame);
        } catch (error) {
          this.#failures.hit((n) => `a captured frame failed (${n} since the last report)`, { error });
        }
      }
      await ring.writeMoved(seen);
    }
  }

  #followUnderruns(ring: PcmRing): void {
    const underruns = ring.underruns;
    const now = this.clock.now();
    if (underruns === this.#underrunsSeen) {
      if (this.#aheadFrames > 1 && now - this.#lastUnderrunAt > SETTLE_MS) {
        this.#aheadFrames--;
        this.#lastUnderrunAt = now;
        this.log.info(`this call's audio has been on time for ${SETTLE_MS / 1000} s: keeping ${this.#aheadFrames} frame(s) ahead`);
      }
      return;
    }
    this.#underrunsSeen = underruns;
    this.#lastUnderrunAt = now;
    if (this.#aheadFrames >= MAX_AHEAD_FRAMES) return;
    this.#aheadFrames++;
    this.log.warn(`the sound card found this call's audio late: keeping ${this.#aheadFrames} frames ahead`);
  }
}
