import type { JitterPacket } from './jitter-types.js';
import { tsDiff } from './rtp-serial.js';

/**
 * The jitter buffer's packets, each in the slot of the frame it plays in, and the playout
 * point: the absolute index and RTP timestamp of the next frame to play. A ring indexed by
 * absolute frame index; the buffer decides what goes where and when it plays.
 */
export class PacketStore {
  readonly #slots: Array<JitterPacket | undefined>;
  /** Absolute frame index each slot's packet belongs to. */
  readonly #slotIndex: Float64Array;
  readonly #mask: number;
  #count = 0;
  #nextIndex = 0;
  #nextTs = 0;

  /** @param capacity frames the ring must hold at least (the window plus the slots kept behind). */
  constructor(
    private readonly frameSamples: number,
    capacity: number,
  ) {
    let size = 16;
    while (size < capacity) size *= 2;
    this.#slots = new Array<JitterPacket | undefined>(size).fill(undefined);
    this.#slotIndex = new Float64Array(size).fill(-1);
    this.#mask = size - 1;
  }

  /** Packets stored. */
  get count(): number {
    return this.#count;
  }

  /** RTP timestamp of the next frame to play. */
  get nextTs(): number {
    return this.#nextTs;
  }

  /** Moves the playout point onto a new timeline (the index keeps counting). */
  set nextTs(timestamp: number) {
    this.#nextTs = timestamp >>> 0;
  }

  /** Whole frames from the playout point to `timestamp` (rounded: tolerates odd offsets). */
  framesAhead(timestamp: number): number {
    return Math.round(tsDiff(timestamp >>> 0, this.#nextTs) / this.frameSamples);
  }

  /**
   * Stores a packet `ahead` frames after the playout point. Slots are cleared as they are
   * played or skipped and the ring is larger than the window, so a slot in the window is
   * free unless it holds this very index.
   */
  store(pkt: JitterPacket, ahead: number): void {
    const index = this.#nextIndex + ahead;
    const i = index & this.#mask;
    if (this.#slots[i] === undefined) this.#count++;
    this.#slots[i] = pkt;
    this.#slotIndex[i] = index;
  }

  /** Whether the slot `ahead` frames after the playout point holds a packet. */
  holds(ahead: number): boolean {
    const index = this.#nextIndex + ahead;
    return this.#slotIndex[index & this.#mask] === index;
  }

  /** The packet `ahead` frames after the playout point (0: the next to play). */
  at(ahead = 0): JitterPacket | undefined {
    const index = this.#nextIndex + ahead;
    const i = index & this.#mask;
    return this.#slotIndex[i] === index ? this.#slots[i] : undefined;
  }

  /** Removes the frame at the playout point and moves on. */
  take(): void {
    const i = this.#nextIndex & this.#mask;
    if (this.#slotIndex[i] === this.#nextIndex && this.#slots[i] !== undefined) {
      this.#slots[i] = undefined;
      this.#slotIndex[i] = -1;
      this.#count--;
    }
    this.advance();
  }

  /** Moves the playout point one frame on, leaving the slot (empty, or a packet to skip). */
  advance(): void {
    this.#nextIndex++;
    this.#nextTs = (this.#nextTs + this.frameSamples) >>> 0;
  }

  /** Drops every packet; returns how many there were. */
  clear(): number {
    const dropped = this.#count;
    this.#slots.fill(undefined);
    this.#slotIndex.fill(-1);
    this.#count = 0;
    return dropped;
  }
}
