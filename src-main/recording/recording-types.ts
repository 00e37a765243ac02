/** What a call's recording is written as: 16-bit PCM WAV, or Opus in Ogg (RFC 7845). */
export type RecordingFormat = 'wav' | 'opus';

/** Whether calls are recorded: never, every answered call, or when the agent asks (`record`). */
export type RecordingMode = 'off' | 'all' | 'on-demand';

/** Where and how one call is recorded, as the main thread hands it to the call's media. */
export interface RecordRequest {
  /** Absolute path inside the recording folder (recording-paths.ts). */
  file: string;
  format: RecordingFormat;
  /** The file exists (the call's media was re-opened after its worker died): carry on in it. */
  append?: boolean;
  /**
   * The consent message, played to the far end before the call's audio is connected; PCM
   * by sample rate (on SharedArrayBuffers when it crosses to a media worker).
   */
  consent?: ConsentPcm;
}

/** A consent message's PCM by sample rate. */
export type ConsentPcm = ReadonlyArray<readonly [rate: number, pcm: Int16Array]>;

/** What becomes of a recording: its file opened (started), or closed (stopped, with the error that stopped it early). */
export interface RecordListener {
  started(file: string): void;
  stopped(file: string, error?: string): void;
}

/** Stereo Opus through the encoder the media stack has (audify's libopus), given to the recorder. */
export interface StereoOpusEncoder {
  /** One frame of interleaved stereo PCM at 48 kHz (`samples` per channel). */
  encode(interleaved: Int16Array, samples: number): Uint8Array;
}
