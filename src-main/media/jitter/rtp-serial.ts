/**
 * Serial-number arithmetic for RTP's wrapping counters (RFC 3550 §A.1, RFC 1982):
 * the signed distance from b to a, valid while the true distance is under half the range.
 */

/** a - b for 16-bit sequence numbers, in -32768..32767. */
export function seqDiff(a: number, b: number): number {
  return (((a - b) & 0xffff) << 16) >> 16;
}

/** a - b for 32-bit timestamps, in -2^31..2^31-1. */
export function tsDiff(a: number, b: number): number {
  return (a - b) | 0;
}
