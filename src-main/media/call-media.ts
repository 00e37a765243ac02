import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../common/clock.js';
import type { MediaEncryption } from '../contract/vocabulary.js';
import type { Logger } from '../common/logger.js';
import type { AudioCodec } from './codec/audio-codec.js';
import { createCodec } from './codec/create-codec.js';
import { packetSamples } from './codec/packet-duration.js';
import type { DeviceClient } from './audio-router.js';
import { CallAudioTap } from './call-audio-tap.js';
import type { ConsentPcm, RecordListener, RecordRequest } from '../recording/recording-types.js';
import { LoopedPcm } from './dsp/looped-pcm.js';
import { PcmFifo } from './dsp/pcm-fifo.js';
import { Resampler } from './dsp/resampler.js';
import { DtmfReceiver } from './dtmf/dtmf-receiver.js';
import { DtmfSender } from './dtmf/dtmf-sender.js';
import { isDtmfSymbol } from './dtmf/rfc4733.js';
import { JitterBuffer } from './jitter/jitter-buffer.js';
import { tsDiff } from './jitter/rtp-serial.js';
import type { CallMediaEvents, MediaSession } from './media-engine.js';
import { SERVICE_TICK_MS } from './media-ticker.js';
import type { IncomingRtp } from './rtp/incoming-rtp.js';
import { estimateMos } from './rtp/mos-estimate.js';
import type { RtpPortPair } from './rtp/rtp-port-pair.js';
import { RtpSession } from './rtp/rtp-session.js';
import type { AudioCodecName } from './sdp/codecs.js';
import type { Negotiated, NegotiationChanges } from './sdp/negotiate.js';
import { CallSrtp } from './srtp/call-srtp.js';

/** What a call's audio is connected to. */
export type MediaMode =
  /** The agent's headset: playback to the device, capture from its microphone. */
  | 'device'
  /** A service line that sends back what it hears. */
  | 'echo'
  /** A service line that plays a file (looped), and listens. */
  | 'file'
  /** Receives and decodes, sends nothing. */
  | 'listen';

export interface CallMediaOptions {
  callId: string;
  address: string;
  pair: RtpPortPair;
  codecs: readonly AudioCodecName[];
  mode: MediaMode;
  /** The file to play (mode "file"), converted once at load to every codec sample rate in use. */
  file?: ReadonlyMap<number, Int16Array>;
  /** Device sample rate (internal audio format). */
  deviceRate: number;
  clock: Clock;
  log: Logger;
  symmetricRtp: boolean;
  /**
   * The IP address the call's SIP came from (the PBX or its proxy; the INVITE's or the 200 OK's
   * source). RTP is accepted only from the SDP's ip:port, or, with symmetricRtp, from one source
   * latched at the start of the call whose IP is the SDP's or this one (rtp/rtp-source-guard.ts).
   * Optional: without it, a latch must stay on the SDP's IP.
   */
  signallingPeerIp?: string;
  /** SRTP policy of the call (what its SDP offers and accepts); default off. */
  encryption?: MediaEncryption;
  jitter: { minDelayMs: number; maxDelayMs: number };
  /** End the call (on.failed) after this long with nothing from the far end while its audio is expected; 0/absent: never. */
  rtpTimeoutMs?: number;
  /** Connects device-mode audio to the sound card; returns the detach function. */
  attachDevice(client: DeviceClient): () => void;
  /** A frame clock for the other modes, one call per SERVICE_TICK_MS; returns the unsubscribe function. */
  subscribeTicker(tick: () => void): () => void;
  on: CallMediaEvents;
}

/** A far end that packetizes differently from its SDP is followed after this many packets in a row. */
const FOLLOW_AFTER_PACKETS = 3;
/** Silence between two DTMF digits sent in a row, ms. */
const DTMF_GAP_MS = 60;

/**
 * The media of one call: an RTP session, the negotiated codec, a jitter buffer pulled by
 * the audio clock (the device's, or a timer for service lines), resampling between the
 * codec rate and the device rate, RFC 4733 DTMF both ways, hold and mute.
 */
export class CallMedia implements MediaSession, DeviceClient {
  readonly address: string;
  readonly rtpPort: number;
  readonly codecs: readonly AudioCodecName[];
  readonly encryption: MediaEncryption;
  readonly rtp: RtpSession;
  readonly #srtp: CallSrtp;
  #neg: Negotiated | undefined;
  #codec: AudioCodec | undefined;
  #jb: JitterBuffer | undefined;
  #dtmfIn: DtmfReceiver | undefined;
  #dtmfOut: DtmfSender | undefined;
  #playFifo: PcmFifo;
  #sendFifo: PcmFifo;
  #up: Resampler | undefined;
  #down: Resampler | undefined;
  #txTimestamp = randomBytes(4).readUInt32BE();
  #firstPacket = true;
  #muted = false;
  #dtmfBusyUntil = 0;
  /** Where the next DTMF event may start on the RTP timeline: after the last one, even when no audio moves the timeline. */
  #dtmfNextTimestamp: number | undefined;
  /** Digits waiting for their turn and events being played, cancelled by close(). */
  #dtmfTimers = new Set<TimerHandle>();
  #file: LoopedPcm | undefined;
  /** Packets in a row whose size differs from the jitter buffer's frame (see #followPacketization). */
  #oddSize = { samples: 0, count: 0 };
  #decodeErrors = 0;
  #decodeErrorLoggedAt: number | undefined;
  #detach: (() => void) | undefined;
  #quality: TimerHandle | undefined;
  #closed = false;
  readonly #tap: CallAudioTap; // recording and the consent message

  constructor(private readonly o: CallMediaOptions) {
    this.address = o.address;
    this.rtpPort = o.pair.port;
    this.codecs = o.codecs;
    this.encryption = o.encryption ?? 'off';
    this.rtp = new RtpSession(o.pair, { clock: o.clock, log: o.log, clockRate: 8000, symmetric: o.symmetricRtp, farEndTimeoutMs: o.rtpTimeoutMs ?? 0, ...(o.signallingPeerIp ? { signallingPeerIp: o.signallingPeerIp } : {}) });
    this.rtp.events.on('rtp', (p) => this.#onRtp(p));
    this.rtp.events.on('silent', (ms) => o.on.silent?.(`no RTP or RTCP from the far end for ${Math.round(ms / 1000)} s (it went away without a BYE?)`));
    this.#srtp = new CallSrtp(this.rtp, o.log);
    // Up to 1 s each, but sized by what passes through (a frame or two).
    this.#playFifo = new PcmFifo(o.deviceRate);
    this.#sendFifo = new PcmFifo(48_000);
    this.#tap = new CallAudioTap(o.log);
  }

  get negotiated(): Negotiated | undefined {
    return this.#neg;
  }

  get muted(): boolean {
    return this.#muted;
  }

  get srtpSuite(): string | undefined {
    return this.#srtp.suite;
  }

  /** After each offer/answer: (re)configure codec, target, direction. */
  apply(n: Negotiated, changes: NegotiationChanges): void {
    if (this.#closed) return;
    const first = this.#neg === undefined;
    const wasRemoteHold = this.#neg?.remoteHold ?? false;
    // Keys first: nothing may leave in clear, nor be read with the old keys, once they changed.
    if (first || changes.srtp) this.#srtp.update(n.srtp);
    this.#neg = n;
    if (first || changes.codec || changes.ptime) this.#setupCodec(n);
    if (first || changes.remoteTarget) {
      this.rtp.setTarget({ address: n.remote.address, rtpPort: n.remote.rtpPort, rtcpAddress: n.remote.rtcpAddress, rtcpPort: n.remote.rtcpPort, rtcpMux: n.remote.rtcpMux });
      // A new target may be a new source (transfer, re-INVITE from another media server).
      this.#jb?.flush();
    }
    if (first || changes.telephoneEvent) this.#setupDtmf(n);
    const send = n.direction === 'sendrecv' || n.direction === 'sendonly';
    const receive = n.direction === 'sendrecv' || n.direction === 'recvonly';
    this.rtp.setDirection(send, receive);
    this.rtp.expectMedia(receive && !n.remoteHold);
    if (!first && n.remoteHold !== wasRemoteHold) this.o.on.remoteHold(n.remoteHold);
    if (first) this.#start();
  }

  setMuted(on: boolean): void {
    this.#muted = on;
  }

  /** RFC 4733 digits, paced one after another; false when telephone-event was not negotiated. */
  sendDtmf(tones: string, durationMs = 100): boolean {
    const sender = this.#dtmfOut;
    const te = this.#neg?.telephoneEvent;
    if (!sender || !te || this.#closed) return false;
    const symbols = [...tones.toUpperCase()].filter(isDtmfSymbol);
    if (symbols.length === 0) return false;
    const now = this.o.clock.now();
    let startAt = Math.max(now, this.#dtmfBusyUntil);
    for (const s of symbols) {
      const plan = sender.plan(s, 0, durationMs);
      const timer = this.o.clock.setTimeout(() => {
        this.#dtmfTimers.delete(timer);
        if (this.#closed) return;
        const planned = sender.plan(s, this.#dtmfStartTimestamp(), durationMs);
        // Receivers tell events apart by timestamp: the next one starts after this one and the gap.
        this.#dtmfNextTimestamp = (planned.endTimestamp + Math.round((te.clockRate * DTMF_GAP_MS) / 1000)) >>> 0;
        // A one-packet event may finish inside play() (onDone runs synchronously, before
        // `playing` exists): only an event still playing when play() returns is tracked.
        let finished = false;
        let tracked = false;
        const playing = sender.play(planned, this.o.clock, (p) => this.rtp.send(te.payloadType, p.timestamp, p.payload, p.marker), () => {
          finished = true;
          if (tracked) this.#dtmfTimers.delete(playing);
        });
        if (!finished) {
          this.#dtmfTimers.add(playing);
          tracked = true;
        }
      }, startAt - now);
      this.#dtmfTimers.add(timer);
      startAt += plan.lastOffsetMs + DTMF_GAP_MS;
    }
    this.#dtmfBusyUntil = startAt;
    return true;
  }

  // Recording and the consent message (MediaSession documents them): the tap's.
  readonly record = (request: RecordRequest | null, listener?: RecordListener): void => { if (!this.#closed) this.#tap.record(request, listener); };
  readonly playConsent = (consent: ConsentPcm): void => { if (!this.#closed) this.#tap.playConsent(consent); };

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tap.close();
    this.#detach?.();
    this.#quality?.cancel();
    for (const t of this.#dtmfTimers) t.cancel();
    this.#dtmfTimers.clear();
    this.#dtmfIn?.dispose();
    this.#codec?.close();
    this.rtp.close();
    this.o.on.closed?.();
  }

  // ---- device mode: the sound card pulls and pushes at the device rate ----

  renderPlayout(out: Int16Array): void {
    while (this.#playFifo.length < out.length) {
      const pcm = this.#pullDecoded();
      if (!pcm) break;
      this.#playFifo.push(this.#up ? this.#up.process(pcm) : pcm);
    }
    this.#playFifo.shift(out.length, out);
    this.#tap.heard(out, this.o.deviceRate);
  }

  takeCapture(frame: Int16Array): void {
    if (!this.#codec) return;
    const sent = this.#tap.sending(frame, this.o.deviceRate, this.#muted || !this.rtp.sending);
    this.#sendFifo.push(this.#down ? this.#down.process(sent) : sent);
    this.#sendFromFifo();
  }

  // ---- internals ----

  #setupCodec(n: Negotiated): void {
    this.#codec?.close();
    const codec = createCodec(n.codec.name);
    this.#codec = codec;
    if (this.o.mode === 'file') {
      const pcm = this.o.file?.get(codec.sampleRate);
      if (!pcm) this.o.log.warn(`no file audio at ${codec.sampleRate} Hz: sending silence`);
      this.#file = this.#file?.switchTo(pcm, codec.sampleRate) ?? new LoopedPcm(pcm, codec.sampleRate);
    }
    this.rtp.setClockRate(codec.clockRate);
    this.#jb = this.#newJitterBuffer(codec, Math.round((codec.clockRate * n.ptimeMs) / 1000));
    // Only the sound card works at the device rate: service lines stay at the codec's.
    const resample = this.o.mode === 'device' && codec.sampleRate !== this.o.deviceRate;
    this.#up = resample ? new Resampler(codec.sampleRate, this.o.deviceRate) : undefined;
    this.#down = resample ? new Resampler(this.o.deviceRate, codec.sampleRate) : undefined;
    this.#playFifo.clear();
    this.#sendFifo.clear();
  }

  #newJitterBuffer(codec: AudioCodec, frameSamples: number): JitterBuffer {
    // Start at two packets (a late packet before any jitter was measured is a gap); the target
    // then follows the measured jitter down to the minimum (20 ms by default) and grows at once.
    const frameMs = (frameSamples * 1000) / codec.clockRate;
    const initialDelayMs = Math.max(this.o.jitter.minDelayMs, 2 * frameMs);
    return new JitterBuffer({ clockRate: codec.clockRate, frameSamples, minDelayMs: this.o.jitter.minDelayMs, maxDelayMs: this.o.jitter.maxDelayMs, initialDelayMs }, this.o.clock);
  }

  /**
   * The far end packetizes differently from its SDP ptime: re-size the jitter buffer to its
   * packets, once a few in a row agree (a single odd packet must not flush the buffer).
   */
  #followPacketization(n: Negotiated, payload: Uint8Array): void {
    const jb = this.#jb;
    const codec = this.#codec;
    if (!jb || !codec) return;
    const samples = packetSamples(n.codec.name, payload);
    if (samples === undefined || samples === jb.frameSamples || samples < codec.clockRate / 200 || samples > codec.clockRate / 8) {
      this.#oddSize.count = 0;
      return;
    }
    if (samples !== this.#oddSize.samples) this.#oddSize = { samples, count: 0 };
    if (++this.#oddSize.count < FOLLOW_AFTER_PACKETS) return;
    this.#oddSize.count = 0;
    this.o.log.info(`the far end sends ${Math.round((samples / codec.clockRate) * 1000)} ms packets (SDP said ${n.ptimeMs} ms): following it`);
    this.#jb = this.#newJitterBuffer(codec, samples);
  }

  #setupDtmf(n: Negotiated): void {
    this.#dtmfIn?.dispose();
    this.#dtmfIn = undefined;
    this.#dtmfOut = undefined;
    const te = n.telephoneEvent;
    if (!te) return;
    this.#dtmfIn = new DtmfReceiver({ clockRate: te.clockRate }, this.o.clock);
    this.#dtmfIn.on('digit-end', (e) => this.o.on.dtmf(e.symbol, Math.round(e.durationMs)));
    this.#dtmfOut = new DtmfSender({ clockRate: te.clockRate, packetIntervalMs: n.ptimeMs });
  }

  #start(): void {
    if (this.o.mode === 'device') this.#detach = this.o.attachDevice(this);
    else this.#detach = this.o.subscribeTicker(() => this.#serviceTick());
    this.#quality = this.o.clock.setInterval(() => this.#reportQuality(), 5_000);
  }

  #onRtp(p: IncomingRtp): void {
    const n = this.#neg;
    if (!n) return;
    const te = n.telephoneEvent;
    const pt = p.payloadType;
    // The far end sends with the numbers of OUR description (RFC 3264 §6.1), which differ from
    // its own when it renumbered a dynamic type in its answer; some peers use their own anyway.
    if (te && pt === te.receivePayloadType) this.#onEvent(p);
    else if (pt === n.codec.receivePayloadType) this.#onAudio(n, p);
    else if (te && pt === te.payloadType) this.#onEvent(p);
    else if (pt === n.codec.payloadType) this.#onAudio(n, p);
  }

  #onEvent(p: IncomingRtp): void {
    this.#dtmfIn?.receive({ timestamp: p.timestamp, marker: p.marker, payload: p.payload, seq: p.seq, arrivalMs: p.arrivalMs, ssrc: p.ssrc });
  }

  #onAudio(n: Negotiated, p: IncomingRtp): void {
    this.#followPacketization(n, p.payload);
    // The payload is a view of the datagram's own buffer, which nothing else keeps: no copy.
    this.#jb?.push(p);
  }

  /** One frame of decoded (or concealed) audio at the codec rate, or undefined when silent. */
  #pullDecoded(): Int16Array | undefined {
    const jb = this.#jb;
    const codec = this.#codec;
    if (!jb || !codec) return undefined;
    const f = jb.pull();
    if (f.kind === 'audio') {
      try {
        return codec.decode(f.payload);
      } catch (error) {
        // A corrupt packet (Opus rejects it) is a lost one: it must not stop the mix or the ticker.
        this.#decodeFailed(error);
        return this.#conceal(codec, jb.frameSamples, 1);
      }
    }
    if (f.kind === 'conceal') return this.#conceal(codec, jb.frameSamples, f.consecutive);
    return undefined;
  }

  #conceal(codec: AudioCodec, samples: number, consecutive: number): Int16Array {
    try {
      return codec.conceal(samples, consecutive);
    } catch (error) {
      this.#decodeFailed(error);
      return new Int16Array(samples);
    }
  }

  #decodeFailed(error: unknown): void {
    this.#decodeErrors++;
    const now = this.o.clock.now();
    if (this.#decodeErrorLoggedAt !== undefined && now - this.#decodeErrorLoggedAt < 10_000) return;
    this.o.log.warn(`undecodable audio packets concealed (${this.#decodeErrors} since the last report)`, { error });
    this.#decodeErrorLoggedAt = now;
    this.#decodeErrors = 0;
  }

  /**
   * Service lines: one ticker frame (SERVICE_TICK_MS) at the codec rate per tick, heard from
   * the jitter buffer and, for echo and file, queued for sending; #sendFromFifo cuts packets of
   * the negotiated ptime from it, so the send rate is real time whatever the ptime.
   */
  #serviceTick(): void {
    const codec = this.#codec;
    if (!codec || !this.#neg || this.#closed) return;
    const samples = Math.round((codec.sampleRate * SERVICE_TICK_MS) / 1000);
    // Pull the jitter buffer only as often as audio is consumed: the far end's packets
    // may be longer or shorter than our frames.
    while (this.#playFifo.length < samples) {
      const pcm = this.#pullDecoded();
      if (!pcm) break;
      this.#playFifo.push(pcm);
    }
    const heard = new Int16Array(samples);
    this.#playFifo.shift(samples, heard);
    this.#tap.heard(heard, codec.sampleRate);
    if (this.o.mode === 'listen') return this.#tap.silent(samples, codec.sampleRate);
    this.#sendFifo.push(this.#tap.sending(this.o.mode === 'echo' ? heard : (this.#file?.next(samples) ?? new Int16Array(samples)), codec.sampleRate, this.#muted || !this.rtp.sending));
    this.#sendFromFifo();
  }

  #sendFromFifo(): void {
    const n = this.#neg;
    const codec = this.#codec;
    if (!n || !codec) return;
    const frameSamples = Math.round((codec.sampleRate * n.ptimeMs) / 1000);
    const frame = new Int16Array(frameSamples);
    while (this.#sendFifo.length >= frameSamples) {
      this.#sendFifo.shift(frameSamples, frame);
      this.#sendFrame(frame);
    }
  }

  #sendFrame(pcm: Int16Array): void {
    const n = this.#neg;
    const codec = this.#codec;
    if (!n || !codec) return;
    const step = Math.round((codec.clockRate * n.ptimeMs) / 1000);
    // Nothing is encoded while the stream does not send (hold, inactive, recvonly), nor while a
    // DTMF event is being sent (audio pauses, RFC 4733 §2.5.1.1); the timeline goes on.
    if (this.rtp.sending && this.o.clock.now() >= this.#dtmfBusyUntil) {
      const payload = codec.encode(this.#muted ? new Int16Array(pcm.length) : pcm);
      this.rtp.send(n.codec.payloadType, this.#txTimestamp, payload, this.#firstPacket);
      this.#firstPacket = false;
    }
    this.#txTimestamp = (this.#txTimestamp + step) >>> 0;
  }

  /** The RTP timestamp of a DTMF event starting now: the audio timeline's position, but never inside or before the previous event. */
  #dtmfStartTimestamp(): number {
    const next = this.#dtmfNextTimestamp;
    return next !== undefined && tsDiff(next, this.#txTimestamp) > 0 ? next : this.#txTimestamp;
  }

  #reportQuality(): void {
    const n = this.#neg;
    if (!n || this.#closed) return;
    const q = this.rtp.quality();
    const jb = this.#jb?.stats.delayMs ?? 0;
    const oneWay = (q.rttMs ?? 0) / 2 + jb + n.ptimeMs;
    const suite = this.#srtp.suite;
    const report: Parameters<CallMediaEvents['quality']>[0] = { codec: n.codec.name, lossPct: q.lossPct, jitterMs: q.jitterMs, mos: estimateMos(n.codec.name, q.lossPct, oneWay), jitterBufferMs: Math.round(jb), encrypted: suite !== undefined, ...(suite ? { srtpSuite: suite } : {}) };
    if (q.rttMs !== undefined) report.rttMs = q.rttMs;
    this.o.on.quality(report);
  }
}
