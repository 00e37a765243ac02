/**
 * One negotiated audio codec for one call, in both directions. PCM is 16-bit mono at
 * the codec's own rate (8 kHz for G.711, 48 kHz for Opus); the call resamples to the
 * device rate around it.
 */
export interface AudioCodec {
  readonly name: 'PCMU' | 'PCMA' | 'opus';
  /** PCM sample rate the codec works at. */
  readonly sampleRate: number;
  /** RTP timestamp units per second (48000 for Opus, whatever its PCM rate). */
  readonly clockRate: number;
  encode(pcm: Int16Array): Buffer;
  decode(payload: Buffer): Int16Array;
  /**
   * Audio for a lost frame of `samples` samples; `consecutive` counts losses in a row, so
   * concealment can fade out instead of repeating a buzz.
   */
  conceal(samples: number, consecutive: number): Int16Array;
  close(): void;
}
