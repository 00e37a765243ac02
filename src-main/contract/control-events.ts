import type { EndReason, LegState, OfferEnd, RegistrationState } from './vocabulary.js';

/**
 * Events LineDesk emits: written as JSON lines by the headless runner (each with a `ts`),
 * forwarded to the windows over IPC and to browser-mode clients over the WebSocket.
 * docs/control-protocol.md describes each one.
 */
export type ControlEvent =
  | { event: 'ready'; lines: string[]; transports: { protocol: string; local: string }[] }
  // Lines
  | { event: 'line.state'; line: string; state: RegistrationState; registrar?: string; target?: string; reason?: string; status?: number }
  | { event: 'line.dnd'; line: string; on: boolean }
  // Calls offered by the dispatcher
  | { event: 'call.offered'; call: string; line: string; from: string; fromName?: string; to: string; attempt: number }
  | { event: 'call.offer.ended'; call: string; line: string; attempt: number; reason: OfferEnd; detail?: string }
  | { event: 'call.queued'; call: string; position: number; from?: string; to?: string }
  | { event: 'call.dequeued'; call: string; waitedMs: number }
  | { event: 'call.rejected'; call: string; line?: string; code: number; reason: string }
  | { event: 'call.answered_elsewhere'; call: string; line?: string }
  // Outbound calls
  | { event: 'call.dialing'; call: string; line: string; to: string }
  | { event: 'call.progress'; call: string; line: string; code: number }
  | { event: 'call.redirected'; call: string; line: string; target: string; code: number }
  // Any call
  | { event: 'call.answered'; call: string; line: string }
  | { event: 'call.held'; call: string; line: string; on: boolean; by: 'local' | 'remote' }
  | { event: 'call.muted'; call: string; line: string; on: boolean }
  | { event: 'call.dtmf'; call: string; line: string; digit: string; direction: 'in' | 'out'; method: 'rfc4733' | 'info'; durationMs?: number }
  | { event: 'call.quality'; call: string; line: string; codec: string; lossPct: number; jitterMs: number; rttMs?: number; mos: number; jitterBufferMs?: number }
  | { event: 'call.transfer'; call: string; line: string; target: string; mode: 'blind' | 'attended'; state: 'started' | 'accepted' | 'completed' | 'failed'; detail?: string }
  | { event: 'call.ended'; call: string; line?: string; reason: EndReason; code: number; detail?: string; talkMs?: number; queuedMs?: number }
  // Agent
  | { event: 'agent.state'; state: AgentStateName; reason?: string; since: number; wrapupEndsAt?: number }
  // Audio devices
  | { event: 'devices'; id?: string; inputs: AudioDevice[]; outputs: AudioDevice[]; selected: SelectedDevices }
  | { event: 'device.lost'; device: string; fallback: string; line?: string }
  // Answers to queries
  | { event: 'status'; id?: string; lines: LineStatus[]; queue: QueueStatus[]; agent?: { state: AgentStateName; reason?: string; since: number }; media?: { calls: number; lateFrames: number } }
  | { event: 'diagnostics'; id?: string; collected: boolean; memory: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number }; held: Record<string, number> }
  | { event: 'stats'; id?: string; stats: StatsSummary }
  | { event: 'history'; id?: string; records: CallRecordView[] }
  | { event: 'export'; id?: string; what: 'records' | 'summary'; csv: string }
  | { event: 'error'; id?: string; cmd?: string; message: string }
  | { event: 'stopped' };

export type ControlEventName = ControlEvent['event'];

export type AgentStateName = 'available' | 'paused' | 'wrapup' | 'dnd' | 'offline';

export interface LineStatus {
  line: string;
  aor: string;
  state: RegistrationState;
  dnd: boolean;
  paused: boolean;
  calls: { call: string; state: LegState; from: string; to: string; held?: boolean; muted?: boolean }[];
}

export interface QueueStatus {
  call: string;
  position: number;
  waitedMs: number;
  from: string;
  to: string;
}

export interface AudioDevice {
  /** Stable name used to pick it (the PulseAudio/CoreAudio/WASAPI description). */
  name: string;
  isDefault: boolean;
  channels: number;
}

export interface SelectedDevices {
  headset: string | null;
  microphone: string | null;
  ringer: string | null;
  perLine: Record<string, { headset?: string; microphone?: string; ringer?: string }>;
}

/** Personal statistics for a period (issue: agent workflow and statistics). */
export interface StatsSummary {
  from: number;
  to: number;
  offered: number;
  answered: number;
  /** answered / (offered - answeredElsewhere), 0-1. */
  answerRate: number;
  declined: number;
  declinedByReason: Record<string, number>;
  missed: number;
  abandoned: number;
  answeredElsewhere: number;
  failed: number;
  /** Queued, then refused by LineDesk with no offer declined or timed out last (the queue gave up: 486, 480, or 302 to the overflow URI). Calls refused before they were queued or offered have no record and count nowhere. */
  rejected: number;
  /** Average speed of answer: offer to answer, ms. */
  averageSpeedOfAnswerMs: number;
  /** Average handle time: talk + hold + wrap-up, ms. */
  averageHandleTimeMs: number;
  talkMs: number;
  holdMs: number;
  wrapupMs: number;
  /** Share of logged-in (non-offline) time spent on calls and wrap-up, 0-1. */
  occupancy: number;
  pauseMsByReason: Record<string, number>;
  /** Calls offered per hour of day, 24 entries (local time). */
  callsPerHour: number[];
  perLine: Record<string, { offered: number; answered: number; talkMs: number }>;
}

/** One call as the history list shows it. */
export interface CallRecordView {
  call: string;
  line: string | null;
  direction: 'in' | 'out';
  from: string;
  fromName?: string;
  to: string;
  offeredAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  disposition: 'answered' | 'declined' | 'missed' | 'abandoned' | 'answered-elsewhere' | 'failed' | 'rejected' | 'ringing' | 'active';
  declineReason?: string;
  talkMs: number;
  holdMs: number;
  wrapupMs: number;
  attempts: number;
  mos?: number;
}

export type Stamped<E> = E & { ts: number };
