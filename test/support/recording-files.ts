import { readFileSync } from 'node:fs';
import { parseWavHeader, WAV_HEADER_BYTES } from '../../src-main/recording/wav-header.js';

/** A stereo recording split into its channels (left: the far end, right: our side). */
export interface StereoRecording {
  rate: number;
  left: Int16Array;
  right: Int16Array;
  /** The data size the header states, and the bytes the file holds after the header. */
  headerDataBytes: number;
  fileDataBytes: number;
}

export function readStereoWav(file: string): StereoRecording {
  const bytes = readFileSync(file);
  const layout = parseWavHeader(bytes);
  if (!layout) throw new Error(`${file} is not a LineDesk WAV`);
  if (layout.channels !== 2) throw new Error(`${file} has ${layout.channels} channels`);
  const frames = Math.floor((bytes.length - WAV_HEADER_BYTES) / 4);
  const left = new Int16Array(frames);
  const right = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = bytes.readInt16LE(WAV_HEADER_BYTES + 4 * i);
    right[i] = bytes.readInt16LE(WAV_HEADER_BYTES + 4 * i + 2);
  }
  return { rate: layout.sampleRate, left, right, headerDataBytes: layout.dataBytes, fileDataBytes: bytes.length - WAV_HEADER_BYTES };
}

/** Power of `hz` in `pcm` (Goertzel), normalised by length: compare frequencies within one stretch. */
export function goertzel(pcm: Int16Array, rate: number, hz: number): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (const x of pcm) {
    const s = x + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (pcm.length * pcm.length);
}

/** The loudest stretch of `ms` in `pcm` (by RMS), to measure a tone where it plays. */
export function loudestStretch(pcm: Int16Array, rate: number, ms: number): Int16Array {
  const n = Math.round((rate * ms) / 1000);
  let best = 0;
  let bestAt = 0;
  for (let at = 0; at + n <= pcm.length; at += Math.max(1, n >> 2)) {
    let s = 0;
    for (let i = at; i < at + n; i++) s += pcm[i]! * pcm[i]!;
    if (s > best) {
      best = s;
      bestAt = at;
    }
  }
  return pcm.subarray(bestAt, bestAt + n);
}
