import type { DeviceClient } from '../audio-router.js';
import type { DeviceRings } from './media-protocol.js';
import { PcmRing } from './pcm-ring.js';

/** Ring sizes in device frames: the worker keeps at most 3 ahead (worker-device-link.ts), plus room. */
const RING_FRAMES = 6;

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

  constructor(frameSamples: number) {
    const playout = PcmRing.allocate(RING_FRAMES * frameSamples);
    const capture = PcmRing.allocate(RING_FRAMES * frameSamples);
    this.rings = { playout, capture, frameSamples };
    this.#playout = new PcmRing(playout);
    this.#capture = new PcmRing(capture);
  }

  /** Times the card found the call's audio missing since the worker first wrote some. */
  get underruns(): number {
    return this.#playout.underruns;
  }

  renderPlayout(out: Int16Array): void {
    // Before the worker's first frame, silence is expected, not an underrun.
    this.#playout.read(out, this.#playout.writeCount !== 0);
  }

  takeCapture(frame: Int16Array): void {
    // A full ring means the worker is stuck: the frame is dropped, as a card drops an overrun.
    this.#capture.write(frame);
  }

  /** The media moved to another worker: start over from an empty ring. */
  restart(): void {
    this.#playout.drain();
  }

  close(): void {
    this.#playout.close();
    this.#capture.close();
  }
}
