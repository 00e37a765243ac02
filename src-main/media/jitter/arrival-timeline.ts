import { DriftEstimator } from './drift-estimator.js';
import { InterarrivalJitter } from './jitter-estimator.js';
import type { JitterPacket } from './jitter-types.js';
import { tsDiff } from './rtp-serial.js';

/**
 * What the arrivals say about the network and the sender's clock: RTP timestamps unwrapped
 * against the newest one, transit times, the RFC 3550 interarrival jitter and the drift
 * estimate. The jitter buffer feeds it; the jitter sizes its target delay, the drift is
 * reported in its stats.
 */
export class ArrivalTimeline {
  readonly jitter: InterarrivalJitter;
  readonly drift = new DriftEstimator();
  /** Unwrapped timestamp of the newest packet (for transit times and drift) and its wire value. */
  #extTs = 0;
  #extRef: number | undefined;
  #lastTransitMs: number | undefined;

  constructor(private readonly clockRate: number) {
    this.jitter = new InterarrivalJitter(clockRate);
  }

  /** Feeds the jitter estimate (late packets too: they are the jitter). Returns the unwrapped timestamp. */
  measure(pkt: JitterPacket): number {
    this.jitter.update(pkt.arrivalMs, pkt.timestamp);
    const ext = this.#extend(pkt.timestamp);
    this.#lastTransitMs = pkt.arrivalMs - (ext * 1000) / this.clockRate;
    return ext;
  }

  /** A packet accepted into the playout timeline: measured, and the newest reference if it is. */
  accept(pkt: JitterPacket): number {
    const ext = this.measure(pkt);
    if (this.#extRef === undefined || ext > this.#extTs) {
      this.#extTs = ext;
      this.#extRef = pkt.timestamp >>> 0;
    }
    return ext;
  }

  /**
   * A new talkspurt may sit on a shifted timeline (the sender's timestamps need not follow
   * wall time across a pause): do not measure jitter across the boundary, and restart the
   * drift fit if the transit time jumped by more than `jumpMs`.
   */
  newSpurt(pkt: JitterPacket, jumpMs: number): void {
    this.jitter.restart();
    if (this.#lastTransitMs !== undefined && Math.abs(this.#transitMs(pkt) - this.#lastTransitMs) > jumpMs) {
      this.drift.reset();
    }
  }

  /** A new stream: forget the timeline. */
  reset(): void {
    this.#extRef = undefined;
    this.#lastTransitMs = undefined;
    this.jitter.restart();
    this.drift.reset();
  }

  /** The timestamp unwrapped against the newest one seen (serial arithmetic). */
  #extend(timestamp: number): number {
    const ts = timestamp >>> 0;
    return this.#extRef === undefined ? ts : this.#extTs + tsDiff(ts, this.#extRef);
  }

  #transitMs(pkt: JitterPacket): number {
    return pkt.arrivalMs - (this.#extend(pkt.timestamp) * 1000) / this.clockRate;
  }
}
