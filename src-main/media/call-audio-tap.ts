import type { Logger } from '../common/logger.js';
import { CallRecording } from '../recording/call-recording.js';
import { OggOpusSink, WavSink, type RecordingSink } from '../recording/recording-sinks.js';
import type { ConsentPcm, RecordListener, RecordRequest, StereoOpusEncoder } from '../recording/recording-types.js';
import { loadOpus, opusUnavailableReason } from './codec/opus-codec.js';
import { Resampler } from './dsp/resampler.js';

interface Active {
  recording: CallRecording;
  listener: RecordListener;
  /** One resampler per side and source rate, to the recording's rate. */
  resamplers: Map<string, Resampler>;
  /** The write error that stopped the recording early, if any. */
  failed: () => string | undefined;
}

/**
 * Where a call's audio is recorded and its consent message played, between the jitter
 * buffer and the ear, and between the microphone (or echo, or file) and the encoder. Both
 * sides are fed from the same audio clock (the sound card's frames, or the service ticker),
 * so they stay in step. The recording opens on the first frame after it was asked for
 * (the rate is known then); its file is written in the background (recording/).
 *
 * While the consent message plays, the far end hears it instead of our audio and we hear
 * nothing: the call is connected to the agent (or the echo, or the file) when it ends.
 */
export class CallAudioTap {
  #wanted: { request: RecordRequest; listener: RecordListener } | undefined;
  #active: Active | undefined;
  #consent: ReadonlyMap<number, Int16Array> | undefined;
  /** The consent's position, in seconds (rates may change under it). */
  #consentAt = 0;

  constructor(private readonly log: Logger) {}

  /** True while the consent message plays. */
  get consenting(): boolean {
    return this.#consent !== undefined;
  }

  /** Starts recording into `request.file` (its consent plays first, if it has one), or with null stops it. */
  record(request: RecordRequest | null, listener?: RecordListener): void {
    if (!request) {
      this.#dropWanted();
      this.#stop();
      return;
    }
    if (this.#active || this.#wanted) return;
    if (!listener) throw new Error('a recording needs its listener');
    this.#wanted = { request, listener };
    if (request.consent && request.consent.length > 0 && !request.append) {
      this.#consent = new Map(request.consent);
      this.#consentAt = 0;
    }
  }

  /** Plays the consent message now (an outbound call, once it is answered), before our audio goes on. */
  playConsent(consent: ConsentPcm): void {
    if (consent.length === 0) return;
    this.#consent = new Map(consent);
    this.#consentAt = 0;
  }

  /** The far end's audio at `rate`, as it goes to our ear: recorded, and silenced during the consent. */
  heard(pcm: Int16Array, rate: number): void {
    this.#feed('far', pcm, rate);
    if (this.#consent) pcm.fill(0);
  }

  /**
   * Our audio at `rate`, as it goes to the encoder: the consent replaces it while it plays.
   * Returns what is sent. `silent`: the far end hears none of it (muted, on hold, early
   * media), so the recording has silence there.
   */
  sending(pcm: Int16Array, rate: number, silent: boolean): Int16Array {
    const out = this.#consent ? this.#consentFrame(pcm.length, rate) : pcm;
    if (this.#active || this.#wanted) this.#feed('near', silent && out === pcm ? new Int16Array(pcm.length) : out, rate);
    return out;
  }

  /** A line that sends nothing (listen): our side of the recording is silence. */
  silent(samples: number, rate: number): void {
    if (this.#active || this.#wanted) this.#feed('near', new Int16Array(samples), rate);
  }

  /** The call's media closes: the recording is finished. */
  close(): void {
    this.#dropWanted();
    this.#consent = undefined;
    this.#stop();
  }

  /** A recording asked for whose file was never opened (no frame came): it is over all the same. */
  #dropWanted(): void {
    const w = this.#wanted;
    this.#wanted = undefined;
    w?.listener.stopped(w.request.file);
  }

  #consentFrame(samples: number, rate: number): Int16Array {
    const pcm = this.#consent?.get(rate) ?? this.#consent?.values().next().value;
    const out = new Int16Array(samples);
    if (!pcm) {
      this.#consent = undefined;
      return out;
    }
    const from = Math.round(this.#consentAt * rate);
    out.set(pcm.subarray(from, from + samples));
    this.#consentAt += samples / rate;
    if (from + samples >= pcm.length) {
      this.#consent = undefined;
      this.log.info('consent message played: the call is connected');
    }
    return out;
  }

  #feed(side: 'far' | 'near', pcm: Int16Array, rate: number): void {
    if (!this.#active && this.#wanted) this.#start(rate);
    const a = this.#active;
    if (!a) return;
    let input = pcm;
    if (rate !== a.recording.rate) {
      const key = `${side}:${rate}`;
      let r = a.resamplers.get(key);
      if (!r) a.resamplers.set(key, (r = new Resampler(rate, a.recording.rate)));
      input = r.process(pcm);
    }
    if (side === 'far') a.recording.far(input);
    else a.recording.near(input);
  }

  #start(rate: number): void {
    const wanted = this.#wanted!;
    this.#wanted = undefined;
    const { request, listener } = wanted;
    let sink: RecordingSink;
    let failed: string | undefined;
    const onError = (e: Error): void => {
      if (failed !== undefined) return;
      failed = e.message;
      this.log.error(`recording into ${request.file} failed: ${e.message}`);
      // Stop now (the file takes nothing more), not when the call ends: the agent sees it.
      if (this.#active?.recording.file === request.file) this.#stop();
    };
    try {
      if (request.format === 'opus') {
        sink = new OggOpusSink(request.file, stereoOpusEncoder(), { append: request.append === true, onError });
        rate = 48_000;
      } else {
        sink = new WavSink(request.file, rate, { append: request.append === true, onError });
      }
    } catch (error) {
      listener.stopped(request.file, error instanceof Error ? error.message : String(error));
      return;
    }
    const active: Active = { recording: new CallRecording(request.file, rate, sink), listener, resamplers: new Map(), failed: () => failed };
    this.#active = active;
    sink.opened.then(
      () => listener.started(request.file),
      (e: unknown) => {
        onError(e instanceof Error ? e : new Error(String(e)));
        if (this.#active === active) this.#stop();
      },
    );
  }

  #stop(): void {
    const a = this.#active;
    if (!a) return;
    this.#active = undefined;
    a.recording.close().then(
      () => a.listener.stopped(a.recording.file, a.failed()),
      (e: unknown) => a.listener.stopped(a.recording.file, a.failed() ?? (e instanceof Error ? e.message : String(e))),
    );
  }
}

/** A stereo 48 kHz Opus encoder from audify's libopus. */
function stereoOpusEncoder(): StereoOpusEncoder {
  const a = loadOpus();
  if (!a) throw new Error(opusUnavailableReason());
  const enc = new a.OpusEncoder(48_000, 2, a.OpusApplication.OPUS_APPLICATION_VOIP);
  enc.bitrate = 48_000;
  return { encode: (pcm, samples) => enc.encode(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength), samples) };
}
