import type { LogLevel } from '../../common/logger.js';
import type { MediaEncryption } from '../../contract/vocabulary.js';
import type { MediaMode } from '../call-media.js';
import type { CallMediaEvents } from '../media-engine.js';
import type { AudioCodecName } from '../sdp/codecs.js';
import type { Negotiated, NegotiationChanges } from '../sdp/negotiate.js';
import type { SdesCrypto } from '../srtp/sdes.js';
import type { ConsentPcm, RecordRequest } from '../../recording/recording-types.js';

/*
 * The messages between the main thread and a media worker (worker_threads). Everything here
 * is structured-clone data: no Buffers (a Buffer is a view of a pooled 8 KB ArrayBuffer that
 * would be copied whole), no functions. Sessions are numbered by the main thread.
 */

export type Quality = Parameters<CallMediaEvents['quality']>[0];

/** The engine settings every worker gets once, at start. */
export interface WorkerInit {
  address: string;
  codecs: readonly AudioCodecName[];
  symmetricRtp: boolean;
  jitter: { minDelayMs: number; maxDelayMs: number };
  rtpTimeoutMs: number;
  /** Service files by line, then by sample rate: Int16Arrays on SharedArrayBuffers (shared, not copied). */
  files: Array<[line: string, byRate: Array<[rate: number, pcm: Int16Array]>]>;
  /** The internal audio format (the sound card's). */
  deviceRate: number;
  logLevel: LogLevel;
  /** The period of the heartbeat (late frames, load) the worker sends; the main thread's watchdog waits for it. */
  heartbeatMs: number;
}

/** The PCM rings of a device-mode call (pcm-ring.ts), made and kept by the main thread. */
export interface DeviceRings {
  playout: SharedArrayBuffer;
  capture: SharedArrayBuffer;
  frameSamples: number;
  /** The card's frame period. */
  frameMs: number;
}

export interface OpenRequestMessage {
  t: 'open';
  id: number;
  callId: string;
  line: string;
  mode: MediaMode;
  encryption: MediaEncryption;
  signallingPeerIp?: string;
  ports: { min: number; max: number };
  /** Bind exactly this pair (re-opening a call after its worker died), else a random one. */
  port?: number;
  /** Ports released lately (on any worker): not handed out again while the range has others. */
  avoid: number[];
  device?: DeviceRings;
  /** Record the call from its first frame (its consent's PCM on SharedArrayBuffers). */
  record?: RecordRequest;
}

export type ToWorker =
  | { t: 'init'; init: WorkerInit }
  | OpenRequestMessage
  | { t: 'apply'; id: number; negotiated: WireNegotiated; changes: NegotiationChanges }
  | { t: 'dtmf'; id: number; tones: string; durationMs?: number }
  | { t: 'mute'; id: number; on: boolean }
  | { t: 'record'; id: number; request: RecordRequest | null }
  | { t: 'consent'; id: number; consent: ConsentPcm }
  | { t: 'close'; id: number }
  | { t: 'gc' }
  /** Test hook: die as a bug would (an exception nobody catches, an exit, a loop that never returns). */
  | { t: 'crash'; how: CrashKind };

export type CrashKind = 'throw' | 'exit' | 'hang';

export type FromWorker =
  | { t: 'ready' }
  | { t: 'opened'; id: number; port: number }
  | { t: 'open-failed'; id: number; error: string }
  | { t: 'closed'; id: number; port: number }
  | { t: 'quality'; id: number; quality: Quality }
  | { t: 'dtmf'; id: number; digit: string; durationMs: number }
  /** Nothing from the far end for the RTP timeout (CallMediaEvents.silent): the call decides. */
  | { t: 'media-silent'; id: number; detail: string }
  /** apply() threw in the worker (the main thread already checked what it could). */
  | { t: 'apply-failed'; id: number; error: string }
  /** A recording's file opened, or closed (with the error that ended it early). */
  | { t: 'recording'; id: number; state: 'started' | 'stopped'; file: string; error?: string }
  | { t: 'heartbeat'; lateFrames: number; calls: number; heapUsed: number }
  | { t: 'gc-done'; heapUsed: number }
  | { t: 'log'; level: Exclude<LogLevel, 'off'>; category: string; msg: string; fields?: Record<string, unknown> };

/** Negotiated with its SRTP keys as compact byte arrays. */
export type WireNegotiated = Omit<Negotiated, 'srtp'> & { srtp?: Omit<NonNullable<Negotiated['srtp']>, 'local' | 'remote'> & { local: WireCrypto; remote: WireCrypto } };
type WireCrypto = Omit<SdesCrypto, 'master'> & { master: { key: Uint8Array; salt: Uint8Array } };

export function toWire(n: Negotiated): WireNegotiated {
  if (!n.srtp) return n;
  const crypto = (c: SdesCrypto): WireCrypto => ({ ...c, master: { key: Uint8Array.from(c.master.key), salt: Uint8Array.from(c.master.salt) } });
  return { ...n, srtp: { ...n.srtp, local: crypto(n.srtp.local), remote: crypto(n.srtp.remote) } };
}

export function fromWire(n: WireNegotiated): Negotiated {
  if (!n.srtp) return n as Negotiated;
  const crypto = (c: WireCrypto): SdesCrypto => ({ ...c, master: { key: Buffer.from(c.master.key), salt: Buffer.from(c.master.salt) } });
  return { ...n, srtp: { ...n.srtp, local: crypto(n.srtp.local), remote: crypto(n.srtp.remote) } };
}
