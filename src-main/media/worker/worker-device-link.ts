import type { Logger } from '../../common/logger.js';
import type { DeviceClient } from '../audio-router.js';
import { RateLimitedWarning } from '../rtp/rate-limited-warning.js';
import type { Clock } from '../../common/clock.js';
import type { DeviceRings } from './media-protocol.js';
import { PcmRing } from './pcm-ring.js';

/** Device frames queued ahead in the playout ring at most, however late the worker has been. */
const MAX_AHEAD_FRAMES = 3;

/**
 * The worker's end of a device-mode call: the sound card (main thread) reads the call's
 * playout from a shared ring and writes the microphone into another (device-bridge.ts). Each
 * time the card takes a frame, this renders the next one (the call's jitter buffer is pulled
 * at the card's pace, as before); each captured frame goes to the call as it lands.
 *
 * One frame waits in the playout ring for the card: that frame is what the split costs in
 * latency. When the card found the ring short (this worker was late), one more frame is kept
 * ahead, up to MAX_AHEAD_FRAMES.
 */
export class WorkerDeviceLink {
  readonly #playout: PcmRing;
  readonly #capture: PcmRing;
  readonly #frame: Int16Array;
  readonly #failures: RateLimitedWarning;
  #aheadFrames = 1;
  #underrunsSeen = 0;
  #stopped = false;

  constructor(
    rings: DeviceRings,
    private readonly client: DeviceClient,
    clock: Clock,
    private readonly log: Logger,
  ) {
    this.#playout = new PcmRing(rings.playout);
    this.#capture = new PcmRing(rings.capture);
    this.#frame = new Int16Array(rings.frameSamples);
    this.#underrunsSeen = this.#playout.underruns;
    this.#failures = new RateLimitedWarning(clock, log);
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
    // Wake our own waits (the rings stay the main thread's; it closes them).
    this.#playout.wake();
    this.#capture.wake();
  }

  async #playoutLoop(): Promise<void> {
    const ring = this.#playout;
    const frame = this.#frame;
    while (!this.#stopped && !ring.closed) {
      const seen = ring.readCount;
      this.#followUnderruns(ring);
      while (ring.available < this.#aheadFrames * frame.length && ring.capacity - ring.available >= frame.length) {
        frame.fill(0);
        try {
          this.client.renderPlayout(frame);
        } catch (error) {
          this.#failures.hit((n) => `a device frame failed (${n} since the last report)`, { error });
          frame.fill(0);
        }
        ring.write(frame);
      }
      await ring.readMoved(seen);
    }
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
    if (underruns === this.#underrunsSeen) return;
    this.#underrunsSeen = underruns;
    if (this.#aheadFrames >= MAX_AHEAD_FRAMES) return;
    this.#aheadFrames++;
    this.log.info(`the sound card found this call's audio late: keeping ${this.#aheadFrames} frames ahead`);
  }
}
