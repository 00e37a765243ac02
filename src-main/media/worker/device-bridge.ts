import type { DeviceClient } from '../audio-router.js';
import type { DeviceRings } from './media-protocol.js';
import { PcmRing } from './pcm-ring.js';

/** Ring sizes in device frames: what the worker renders ahead while the main thread stalls, at most (worker-device-link.ts). */
const RING_FRAMES = 8;
/** Reads at the start not counted as underruns: the card primes its queue (audify-devices.ts: queueMs). */
const PRIMING_READS = 8;

/**
 * The main thread's end of a device-mode call whose media runs in a worker: the sound card's
 * callbacks only copy, one frame out of the playout ring (silence when the worker is late,
 * counted) and one frame into the capture ring. The AudioRouter mixes it with the other calls
 * on the same device as it did the calls themselves.
 */
export class DeviceBridge implements DeviceClient {
  readonly rings: DeviceRings;
  readonly #playout: PcmRing;
  readonly #capture: PcmRing;
  #reads = 0;

  constructor(format: { frameSamples: number; sampleRate: number }) {
    const { frameSamples, sampleRate } = format;
    const playout = PcmRing.allocate(RING_FRAMES * frameSamples);
    const capture = PcmRing.allocate(RING_FRAMES * frameSamples);
    this.rings = { playout, capture, frameSamples, frameMs: (frameSamples * 1000) / sampleRate };
    this.#playout = new PcmRing(playout);
    this.#capture = new PcmRing(capture);
  }

  /** Times the card found the call's audio missing since the worker first wrote some. */
  get underruns(): number {
    return this.#playout.underruns;
  }

  renderPlayout(out: Int16Array): void {
    // Before the worker's first frame, and while a new stream primes its queue (several frames
    // asked for at once), a short ring is expected, not an underrun.
    const counting = this.#reads >= PRIMING_READS && this.#playout.writeCount !== 0;
    this.#reads++;
    this.#playout.read(out, counting);
  }

  takeCapture(frame: Int16Array): void {
    // A full ring means the worker is stuck: the frame is dropped, as a card drops an overrun.
    this.#capture.write(frame);
  }

  /** The media moved to another worker: start over from an empty ring. */
  restart(): void {
    this.#playout.drain();
    this.#reads = 0;
  }

  close(): void {
    this.#playout.close();
    this.#capture.close();
  }
}
