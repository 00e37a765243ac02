/**
 * G.711 μ-law (PCMU) and A-law (PCMA), ITU-T G.711 / RFC 3551 §4.5.14.
 *
 * Bit-exact with the Sun/CCITT reference g711.c as used by Python's `audioop`
 * (checked for all 65 536 inputs and all 256 codes in test/unit/media/g711.test.ts).
 * The reference folds negative samples with one's complement (`-x - 1` for A-law,
 * `x >> 2` before negation for μ-law); that is what common npm ports get wrong at the
 * decision thresholds.
 *
 * Everything is a table lookup: two 64 KiB encode tables indexed by the sample's
 * 16-bit pattern and two 256-entry decode tables, built once at module load (~1 ms).
 */

/** The μ-law code for digital silence (+0). */
export const MULAW_SILENCE = 0xff;
/** The A-law code for digital silence (+0, even bits inverted). */
export const ALAW_SILENCE = 0xd5;

const SIGN_BIT = 0x80;
const QUANT_MASK = 0x0f;
const SEG_SHIFT = 4;
const SEG_MASK = 0x70;

/** μ-law: bias added to the 14-bit magnitude (0x84 >> 2) and its clip level. */
const ULAW_BIAS = 0x84;
const ULAW_CLIP = 8159;
/** Upper ends of the eight segments, as in g711.c. */
const ULAW_SEG_END = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff] as const;
const ALAW_SEG_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff] as const;

function segmentOf(value: number, ends: readonly number[]): number {
  let seg = 0;
  while (seg < ends.length && value > (ends[seg] as number)) seg++;
  return seg;
}

/** g711.c linear2ulaw on the top 14 bits of a 16-bit sample. */
function computeMulaw(sample: number): number {
  let pcm = sample >> 2;
  let mask: number;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (pcm > ULAW_CLIP) pcm = ULAW_CLIP;
  pcm += ULAW_BIAS >> 2;
  const seg = segmentOf(pcm, ULAW_SEG_END);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << SEG_SHIFT) | ((pcm >> (seg + 1)) & QUANT_MASK)) ^ mask;
}

/** g711.c linear2alaw on the top 13 bits of a 16-bit sample. */
function computeAlaw(sample: number): number {
  let pcm = sample >> 3;
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = segmentOf(pcm, ALAW_SEG_END);
  if (seg >= 8) return 0x7f ^ mask;
  const quant = seg < 2 ? (pcm >> 1) & QUANT_MASK : (pcm >> seg) & QUANT_MASK;
  return ((seg << SEG_SHIFT) | quant) ^ mask;
}

function computeMulawLinear(code: number): number {
  const u = ~code & 0xff;
  const t = (((u & QUANT_MASK) << 3) + ULAW_BIAS) << ((u & SEG_MASK) >> SEG_SHIFT);
  return u & SIGN_BIT ? ULAW_BIAS - t : t - ULAW_BIAS;
}

function computeAlawLinear(code: number): number {
  const a = code ^ 0x55;
  let t = (a & QUANT_MASK) << 4;
  const seg = (a & SEG_MASK) >> SEG_SHIFT;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & SIGN_BIT ? t : -t;
}

/** Indexed by `sample & 0xffff` (the int16 bit pattern). */
const MULAW_ENCODE = new Uint8Array(65536);
const ALAW_ENCODE = new Uint8Array(65536);
const MULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);

for (let s = -32768; s <= 32767; s++) {
  MULAW_ENCODE[s & 0xffff] = computeMulaw(s);
  ALAW_ENCODE[s & 0xffff] = computeAlaw(s);
}
for (let c = 0; c < 256; c++) {
  MULAW_DECODE[c] = computeMulawLinear(c);
  ALAW_DECODE[c] = computeAlawLinear(c);
}

/** Int16 range clamp for the single-sample helpers (arrays are int16 by type). */
function toInt16Bits(sample: number): number {
  const s = sample > 32767 ? 32767 : sample < -32768 ? -32768 : sample | 0;
  return s & 0xffff;
}

/** One sample to its μ-law code; out-of-range input is clamped, fractions truncated. */
export function linearToMulaw(sample: number): number {
  return MULAW_ENCODE[toInt16Bits(sample)] as number;
}

/** One sample to its A-law code; out-of-range input is clamped, fractions truncated. */
export function linearToAlaw(sample: number): number {
  return ALAW_ENCODE[toInt16Bits(sample)] as number;
}

/** One μ-law code (0..255, higher bits ignored) to its linear value. */
export function mulawToLinear(code: number): number {
  return MULAW_DECODE[code & 0xff] as number;
}

/** One A-law code (0..255, higher bits ignored) to its linear value. */
export function alawToLinear(code: number): number {
  return ALAW_DECODE[code & 0xff] as number;
}

function encodeWith(table: Uint8Array, pcm: Int16Array, out: Uint8Array | undefined): Uint8Array {
  const n = pcm.length;
  const dst = prepare(out, n, Uint8Array);
  for (let i = 0; i < n; i++) dst[i] = table[(pcm[i] as number) & 0xffff] as number;
  return dst;
}

function decodeWith(table: Int16Array, bytes: Uint8Array, out: Int16Array | undefined): Int16Array {
  const n = bytes.length;
  const dst = prepare(out, n, Int16Array);
  for (let i = 0; i < n; i++) dst[i] = table[bytes[i] as number] as number;
  return dst;
}

/**
 * Returns `out` trimmed to `n` elements (a view, no copy), or a new array. A caller that
 * reuses one buffer per call avoids an allocation per frame.
 */
function prepare<T extends Uint8Array | Int16Array>(
  out: T | undefined,
  n: number,
  ctor: { new (n: number): T },
): T {
  if (out === undefined) return new ctor(n);
  if (out.length < n) throw new RangeError(`output holds ${out.length} samples, ${n} needed`);
  return (out.length === n ? out : out.subarray(0, n)) as T;
}

/** PCM frame to μ-law bytes. `out`, if given, must hold at least `pcm.length` bytes. */
export function encodeMulaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  return encodeWith(MULAW_ENCODE, pcm, out);
}

/** μ-law bytes to PCM. `out`, if given, must hold at least `bytes.length` samples. */
export function decodeMulaw(bytes: Uint8Array, out?: Int16Array): Int16Array {
  return decodeWith(MULAW_DECODE, bytes, out);
}

/** PCM frame to A-law bytes. `out`, if given, must hold at least `pcm.length` bytes. */
export function encodeAlaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  return encodeWith(ALAW_ENCODE, pcm, out);
}

/** A-law bytes to PCM. `out`, if given, must hold at least `bytes.length` samples. */
export function decodeAlaw(bytes: Uint8Array, out?: Int16Array): Int16Array {
  return decodeWith(ALAW_DECODE, bytes, out);
}

/** The two laws behind one shape, for code that picks a codec from SDP. */
export interface G711Codec {
  readonly name: 'PCMU' | 'PCMA';
  /** Static RTP payload type (RFC 3551 table 4). */
  readonly payloadType: 0 | 8;
  readonly clockRate: 8000;
  /** The code of digital silence, to fill a frame when there is nothing to send. */
  readonly silenceCode: number;
  encode(pcm: Int16Array, out?: Uint8Array): Uint8Array;
  decode(bytes: Uint8Array, out?: Int16Array): Int16Array;
}

export const PCMU: G711Codec = Object.freeze({
  name: 'PCMU',
  payloadType: 0,
  clockRate: 8000,
  silenceCode: MULAW_SILENCE,
  encode: encodeMulaw,
  decode: decodeMulaw,
});

export const PCMA: G711Codec = Object.freeze({
  name: 'PCMA',
  payloadType: 8,
  clockRate: 8000,
  silenceCode: ALAW_SILENCE,
  encode: encodeAlaw,
  decode: decodeAlaw,
});
