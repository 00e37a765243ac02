import type { Clock, TimerHandle } from '../../common/clock.js';

/**
 * Whether the far end of a call is still there. One that vanished without a BYE (a power cut,
 * its network gone, a PBX that restarted) sends nothing more, and the agent's line would stay
 * busy for ever. Any RTP or RTCP accepted from the far end is a sign of life. The watch runs
 * only while its audio is expected (not while either side holds) and starts again at every
 * `expect(true)`: each offer/answer proves the far end alive through its signalling.
 * `onSilent` is called once per watch, with how long nothing came.
 */
export class FarEndSilence {
  #heardAt = 0;
  #expecting = false;
  #fired = false;
  readonly #timer: TimerHandle;

  constructor(
    private readonly clock: Clock,
    readonly timeoutMs: number,
    private readonly onSilent: (silentMs: number) => void,
  ) {
    // Checked a few times per timeout (at most every 5 s): the call ends within a quarter of it late.
    this.#timer = clock.setInterval(() => this.#check(), Math.min(5_000, Math.max(50, timeoutMs / 4)));
  }

  /** Something came from the far end. */
  heard(): void {
    this.#heardAt = this.clock.now();
  }

  /** Its audio is expected from now on (true), or not (held, inactive). */
  expect(on: boolean): void {
    if (on) {
      this.#heardAt = this.clock.now();
      this.#fired = false;
    }
    this.#expecting = on;
  }

  dispose(): void {
    this.#timer.cancel();
  }

  #check(): void {
    if (!this.#expecting || this.#fired) return;
    const silent = this.clock.now() - this.#heardAt;
    if (silent < this.timeoutMs) return;
    this.#fired = true;
    this.onSilent(silent);
  }
}
