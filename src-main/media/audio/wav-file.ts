import { readFile } from 'node:fs/promises';
import { Resampler } from '../dsp/resampler.js';

/** Mono 16-bit PCM at a known rate. */
export interface PcmAudio {
  sampleRate: number;
  samples: Int16Array;
}

/** The file is not a WAV LineDesk can play; the message says why. */
export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

interface WavFormat {
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

/**
 * Reads a 16-bit PCM WAV (mono or stereo; 8, 16 or 48 kHz, or any rate that is a small ratio
 * of `rate`) as mono at `rate` (default: the file's own rate). Stereo is mixed down by averaging.
 */
export async function readWavFile(path: string, rate?: number): Promise<PcmAudio> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new WavFormatError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return decodeWav(bytes, rate);
  } catch (error) {
    if (error instanceof WavFormatError) throw new WavFormatError(`${path}: ${error.message}`);
    throw error;
  }
}

/** Like readWavFile, from the bytes of the file. */
export function decodeWav(bytes: Uint8Array, rate?: number): PcmAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || fourCc(view, 0) !== 'RIFF' || fourCc(view, 8) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let format: WavFormat | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = fourCc(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = parseFormat(view, body, size);
    } else if (id === 'data') {
      if (!format) throw new WavFormatError('the data chunk comes before the fmt chunk');
      // Streamed WAVs may carry a placeholder size: take what the file really holds.
      const available = Math.min(size, bytes.byteLength - body);
      const mono = toMono(view, body, available, format);
      const target = rate ?? format.sampleRate;
      return { sampleRate: target, samples: convertRate(mono, format.sampleRate, target) };
    }
    offset = body + size + (size & 1); // chunks are padded to an even length
  }
  throw new WavFormatError(format ? 'no data chunk' : 'no fmt chunk');
}

function parseFormat(view: DataView, at: number, size: number): WavFormat {
  if (size < 16) throw new WavFormatError(`fmt chunk too short (${size} bytes)`);
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE && size >= 40) tag = view.getUint16(at + 24, true); // SubFormat GUID's first two bytes
  if (tag !== WAVE_FORMAT_PCM) throw new WavFormatError(`format tag 0x${tag.toString(16)} is not PCM`);
  if (bitsPerSample !== 16) throw new WavFormatError(`${bitsPerSample}-bit samples are not supported (16-bit only)`);
  if (channels < 1) throw new WavFormatError('no channels');
  if (blockAlign < channels * 2) throw new WavFormatError(`block align ${blockAlign} too small for ${channels} channels`);
  if (sampleRate < 1000 || sampleRate > 384_000) throw new WavFormatError(`implausible sample rate ${sampleRate}`);
  return { channels, sampleRate, bitsPerSample, blockAlign };
}

function toMono(view: DataView, at: number, length: number, format: WavFormat): Int16Array {
  const frames = Math.floor(length / format.blockAlign);
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    const frameAt = at + i * format.blockAlign;
    let sum = 0;
    for (let c = 0; c < format.channels; c++) sum += view.getInt16(frameAt + c * 2, true);
    out[i] = Math.round(sum / format.channels);
  }
  return out;
}

/**
 * Converts a whole clip with the media engine's resampler, dropping the filter's delay so the
 * clip starts on time and keeps its length. Throws WavFormatError for a ratio it cannot do.
 */
export function convertRate(input: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return input;
  let resampler: Resampler;
  try {
    resampler = new Resampler(from, to);
  } catch {
    throw new WavFormatError(`cannot convert ${from} Hz to ${to} Hz (use 8, 16 or 48 kHz files)`);
  }
  const delay = Math.round(resampler.delaySamples);
  const wanted = Math.round((input.length * to) / from);
  const flush = new Int16Array(Math.ceil(((delay + 2) * from) / to) + 1);
  const head = resampler.process(input);
  const tail = resampler.process(flush);
  const out = new Int16Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out.slice(delay, delay + wanted);
}

function fourCc(view: DataView, at: number): string {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}

/** The bytes of a 16-bit PCM WAV file; with channels > 1, `samples` are interleaved. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Uint8Array {
  const dataBytes = samples.length * 2;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) view.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + i * 2, samples[i] ?? 0, true);
  return bytes;
}
