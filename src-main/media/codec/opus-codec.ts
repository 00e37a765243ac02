import { createRequire } from 'node:module';
import type { AudioCodec } from './audio-codec.js';

/** The part of audify's Opus API we use (audify is an optional native dependency). */
interface AudifyOpus {
  OpusEncoder: new (sampleRate: number, channels: number, application: number) => { encode(pcm: Buffer, frameSize: number): Buffer; setBitrate?(bps: number): void };
  OpusDecoder: new (sampleRate: number, channels: number) => { decode(data: Buffer, frameSize: number): Buffer };
  OpusApplication: { OPUS_APPLICATION_VOIP: number };
}

let audify: AudifyOpus | null | undefined;
let loadError = '';

/** Loads audify's Opus on first use; null (with the reason in `opusUnavailableReason`) when it cannot. */
export function loadOpus(): AudifyOpus | null {
  if (audify !== undefined) return audify;
  try {
    audify = createRequire(import.meta.url)('audify') as AudifyOpus;
  } catch (error) {
    audify = null;
    loadError = error instanceof Error ? error.message : String(error);
  }
  return audify;
}

export function opusUnavailableReason(): string | undefined {
  return loadOpus() ? undefined : `Opus needs the audify module: ${loadError}`;
}

/**
 * Opus (RFC 6716 / 7587) at 48 kHz mono through audify's bundled libopus, VoIP mode.
 * Lost frames are concealed by libopus itself (decoding an empty packet), which is far
 * better than anything done on PCM.
 */
export class OpusCodec implements AudioCodec {
  readonly name = 'opus' as const;
  readonly sampleRate = 48_000;
  readonly clockRate = 48_000;
  #enc;
  #dec;

  constructor(bitrate = 32_000) {
    const a = loadOpus();
    if (!a) throw new Error(opusUnavailableReason());
    this.#enc = new a.OpusEncoder(48_000, 1, a.OpusApplication.OPUS_APPLICATION_VOIP);
    this.#enc.setBitrate?.(bitrate);
    this.#dec = new a.OpusDecoder(48_000, 1);
  }

  encode(pcm: Int16Array): Buffer {
    return this.#enc.encode(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength), pcm.length);
  }

  decode(payload: Buffer): Int16Array {
    // 120 ms is the longest Opus frame; libopus returns what the packet holds.
    return toInt16(this.#dec.decode(payload, 5760));
  }

  conceal(samples: number): Int16Array {
    return toInt16(this.#dec.decode(Buffer.alloc(0), samples));
  }

  close(): void {}
}

function toInt16(b: Buffer): Int16Array {
  const copy = new Int16Array(b.length / 2);
  for (let i = 0; i < copy.length; i++) copy[i] = b.readInt16LE(i * 2);
  return copy;
}
