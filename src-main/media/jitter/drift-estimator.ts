/**
 * Estimates the rate of the sender's media clock against ours, in parts per million, as
 * the slope of a least-squares line through (local position, remote position) pairs,
 * both in frames. Older points fade out exponentially (`memory` points), so the estimate
 * follows a clock that changes; the sums are kept around a moving origin so they stay
 * small however long the call lasts.
 *
 * Network jitter is noise around the line and averages out: with ±20 ms jitter and 20 ms
 * frames the error after 60 s is a few tens of ppm.
 */
export class DriftEstimator {
  readonly #decay: number;
  readonly #minSpan: number;
  #n = 0;
  #sx = 0;
  #sy = 0;
  #sxx = 0;
  #sxy = 0;
  #x0 = 0;
  #y0 = 0;
  #firstX = 0;
  #lastX = 0;

  /**
   * @param memory points after which an old point's weight has fallen to 1/e
   * @param minSpan local frames the points must span before `ppm` reports anything
   */
  constructor(memory = 3000, minSpan = 250) {
    this.#decay = 1 - 1 / memory;
    this.#minSpan = minSpan;
  }

  add(local: number, remote: number): void {
    if (this.#n === 0) {
      this.#x0 = local;
      this.#y0 = remote;
      this.#firstX = local;
    }
    const dx = local - this.#x0;
    const dy = remote - this.#y0;
    const k = this.#decay;
    this.#n = this.#n * k + 1;
    this.#sx = this.#sx * k + dx;
    this.#sy = this.#sy * k + dy;
    this.#sxx = this.#sxx * k + dx * dx;
    this.#sxy = this.#sxy * k + dx * dy;
    this.#lastX = local;
    if (Math.abs(dx) > 4096) this.#recentre();
  }

  /** Sender rate / local rate - 1, in ppm; 0 until the points span minSpan frames. */
  get ppm(): number {
    if (this.#lastX - this.#firstX < this.#minSpan) return 0;
    const den = this.#n * this.#sxx - this.#sx * this.#sx;
    if (den <= 0) return 0;
    const slope = (this.#n * this.#sxy - this.#sx * this.#sy) / den;
    return (slope - 1) * 1e6;
  }

  reset(): void {
    this.#n = this.#sx = this.#sy = this.#sxx = this.#sxy = 0;
    this.#firstX = this.#lastX = 0;
  }

  /** Moves the origin to the weighted mean point; the slope is unchanged. */
  #recentre(): void {
    const mx = this.#sx / this.#n;
    const my = this.#sy / this.#n;
    this.#sxx -= (this.#sx * this.#sx) / this.#n;
    this.#sxy -= (this.#sx * this.#sy) / this.#n;
    this.#sx = 0;
    this.#sy = 0;
    this.#x0 += mx;
    this.#y0 += my;
  }
}
