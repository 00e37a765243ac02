import { requireAudify } from '../audify-module.js';
import type { AudioCodec } from './audio-codec.js';
import { packetSamples } from './packet-duration.js';

/** The part of audify's Opus API we use (audify is an optional native dependency). */
interface AudifyOpus {
  OpusEncoder: new (sampleRate: number, channels: number, application: number) => { encode(pcm: Buffer, frameSize: number): Buffer; bitrate: number };
  OpusDecoder: new (sampleRate: number, channels: number) => { decode(data: Buffer, frameSize: number): Buffer };
  OpusApplication: { OPUS_APPLICATION_VOIP: number };
}

/** 120 ms at 48 kHz: the longest a packet can hold (RFC 6716 §3.2.5). */
const MAX_PACKET_SAMPLES = 5760;

let opus: { ok: true; audify: AudifyOpus } | { ok: false; reason: string } | undefined;

/** audify's Opus API, on first use; null (with the reason in `opusUnavailableReason`) when it cannot load. */
export function loadOpus(): AudifyOpus | null {
  if (!opus) {
    const required = requireAudify();
    if (!required.ok) opus = { ok: false, reason: required.reason };
    else opus = isAudifyOpus(required.exports) ? { ok: true, audify: required.exports } : { ok: false, reason: 'the audify module does not have the expected Opus API' };
  }
  return opus.ok ? opus.audify : null;
}

export function opusUnavailableReason(): string | undefined {
  loadOpus();
  return opus?.ok === false ? `Opus needs the audify module: ${opus.reason}` : undefined;
}

function isAudifyOpus(m: unknown): m is AudifyOpus {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Partial<Record<keyof AudifyOpus, unknown>>;
  const app = r.OpusApplication as Partial<Record<string, unknown>> | undefined;
  return typeof r.OpusEncoder === 'function' && typeof r.OpusDecoder === 'function' && typeof app?.OPUS_APPLICATION_VOIP === 'number';
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

  /** @param bitrate Target bit rate of the encoder, bit/s (audify's `bitrate` accessor: OPUS_SET_BITRATE). */
  constructor(bitrate = 32_000) {
    const a = loadOpus();
    if (!a) throw new Error(opusUnavailableReason());
    this.#enc = new a.OpusEncoder(48_000, 1, a.OpusApplication.OPUS_APPLICATION_VOIP);
    this.#enc.bitrate = bitrate;
    this.#dec = new a.OpusDecoder(48_000, 1);
  }

  encode(pcm: Int16Array): Buffer {
    return this.#enc.encode(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength), pcm.length);
  }

  decode(payload: Buffer): Int16Array {
    // Ask for exactly what the packet holds (its TOC says): audify 1.10.1 allocates the output
    // for `frameSize` samples on every call and never frees it (see patches/optional/audify+1.10.1.patch),
    // so asking for the 120 ms maximum leaked 11.5 KB per packet. Unreadable TOCs get the
    // maximum; libopus then rejects the packet.
    const samples = packetSamples('opus', payload);
    return toInt16(this.#dec.decode(payload, samples === undefined ? MAX_PACKET_SAMPLES : Math.min(samples, MAX_PACKET_SAMPLES)));
  }

  conceal(samples: number): Int16Array {
    return toInt16(this.#dec.decode(Buffer.alloc(0), samples));
  }

  close(): void {}
}

/** audify's output is a fresh buffer of native-endian opus_int16: view it, copying only when misaligned. */
function toInt16(b: Buffer): Int16Array {
  if (b.byteOffset % 2 === 0) return new Int16Array(b.buffer, b.byteOffset, b.length >> 1);
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + (b.length & ~1)));
}
