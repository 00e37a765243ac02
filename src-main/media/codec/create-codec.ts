import type { AudioCodecName } from '../sdp/codecs.js';
import type { AudioCodec } from './audio-codec.js';
import { G711Codec } from './g711-codec.js';
import { OpusCodec, opusUnavailableReason } from './opus-codec.js';

/** The PCM sample rate a codec works at (AudioCodec.sampleRate), without creating one. */
export function codecSampleRate(name: AudioCodecName): number {
  return name === 'opus' ? 48_000 : 8000;
}

export function createCodec(name: AudioCodecName): AudioCodec {
  return name === 'opus' ? new OpusCodec() : new G711Codec(name);
}

/** The codecs this machine can run, in LineDesk's default preference order. */
export function availableCodecs(preferred: readonly AudioCodecName[] = ['opus', 'PCMU', 'PCMA']): AudioCodecName[] {
  return preferred.filter((c) => c !== 'opus' || opusUnavailableReason() === undefined);
}
