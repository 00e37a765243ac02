import { decodeAlaw, decodeMulaw, encodeAlaw, encodeMulaw } from './g711.js';
import type { AudioCodec } from './audio-codec.js';

/**
 * G.711 μ-law or A-law, with a simple packet-loss concealment: the last good frame is
 * repeated with a falling gain (−6 dB per lost frame), which hides one or two lost
 * packets far better than silence and fades out instead of buzzing on longer gaps
 * (in the spirit of G.711 Appendix I, without its pitch search).
 */
export class G711Codec implements AudioCodec {
  readonly sampleRate = 8000;
  readonly clockRate = 8000;
  #last: Int16Array = new Int16Array(0);

  constructor(readonly name: 'PCMU' | 'PCMA') {}

  encode(pcm: Int16Array): Buffer {
    const bytes = this.name === 'PCMU' ? encodeMulaw(pcm) : encodeAlaw(pcm);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  decode(payload: Buffer): Int16Array {
    const view = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    const pcm = this.name === 'PCMU' ? decodeMulaw(view) : decodeAlaw(view);
    this.#last = pcm;
    return pcm;
  }

  conceal(samples: number, consecutive: number): Int16Array {
    const out = new Int16Array(samples);
    const src = this.#last;
    if (src.length === 0) return out;
    const gain = 0.5 ** consecutive;
    for (let i = 0; i < samples; i++) out[i] = Math.round(src[i % src.length]! * gain);
    return out;
  }

  close(): void {}
}
