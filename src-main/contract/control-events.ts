import type { EndReason, LegState, OfferEnd, RegistrationState } from './vocabulary.js';

/**
 * Events LineDesk emits: written as JSON lines by the headless runner (each with a `ts`),
 * forwarded to the windows over IPC and to browser-mode clients over the WebSocket.
 * docs/control-protocol.md describes each one.
 */
export type ControlEvent =
  | { event: 'ready'; lines: string[]; transports: { protocol: string; local: string }[]; recording?: Record<string, 'all' | 'on-demand'> }
  // Lines
  | { event: 'line.state'; line: string; state: RegistrationState; registrar?: string; target?: string; reason?: string; status?: number }
  | { event: 'line.dnd'; line: string; on: boolean }
  // Calls offered by the dispatcher
  | { event: 'call.offered'; call: string; line: string; from: string; fromName?: string; to: string; attempt: number }
  | { event: 'call.offer.ended'; call: string; line: string; attempt: number; reason: OfferEnd; detail?: string }
  | { event: 'call.queued'; call: string; position: number; from?: string; to?: string }
  | { event: 'call.dequeued'; call: string; waitedMs: number }
  | { event: 'call.rejected'; call: string; line?: string; code: number; reason: string; detail?: string }
  | { event: 'call.answered_elsewhere'; call: string; line?: string }
  // Outbound calls
  | { event: 'call.dialing'; call: string; line: string; to: string; referredFrom?: string }
  | { event: 'call.progress'; call: string; line: string; code: number }
  | { event: 'call.redirected'; call: string; line: string; target: string; code: number }
  // Any call
  | { event: 'call.answered'; call: string; line: string; encrypted?: boolean }
  | { event: 'call.held'; call: string; line: string; on: boolean; by: 'local' | 'remote' }
  | { event: 'call.muted'; call: string; line: string; on: boolean }
  | { event: 'call.dtmf'; call: string; line: string; digit: string; direction: 'in' | 'out'; method: 'rfc4733' | 'info'; durationMs?: number }
  | { event: 'call.quality'; call: string; line: string; codec: string; lossPct: number; jitterMs: number; rttMs?: number; mos: number; jitterBufferMs?: number; encrypted?: boolean; srtpSuite?: string }
  | { event: 'call.transfer'; call: string; line: string; target: string; mode: 'blind' | 'attended'; state: 'started' | 'accepted' | 'completed' | 'failed'; detail?: string }
  | { event: 'call.refer'; call: string; line: string; target: string; referredBy?: string }
  | { event: 'call.refer.ended'; call: string; line: string; target: string; outcome: ReferOutcome; code: number; detail?: string }
  | { event: 'recording.started'; call: string; line: string; file: string }
  | { event: 'recording.stopped'; call: string; line: string; file: string; error?: string }
  | { event: 'call.ended'; call: string; line?: string; reason: EndReason; code: number; detail?: string; talkMs?: number; queuedMs?: number }
  // Agent
  | { event: 'agent.state'; state: AgentStateName; reason?: string; since: number; wrapupEndsAt?: number }
  // Audio devices
  | { event: 'devices'; id?: string; inputs: AudioDevice[]; outputs: AudioDevice[]; selected: SelectedDevices }
  | { event: 'device.lost'; device: string; fallback: string; line?: string }
  // Answers to queries
  | { event: 'status'; id?: string; lines: LineStatus[]; queue: QueueStatus[]; agent?: { state: AgentStateName; reason?: string; since: number }; media?: { calls: number; lateFrames: number } }
  | { event: 'diagnostics'; id?: string; collected: boolean; memory: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; workersHeapUsed?: number }; held: Record<string, number>; counters?: Record<string, number> }
  | { event: 'stats'; id?: string; stats: StatsSummary }
  | { event: 'history'; id?: string; records: CallRecordView[] }
  | { event: 'export'; id?: string; what: 'records' | 'summary'; csv: string }
  // Team (docs/team.md): replication to the shared PostgreSQL, and what supervisors see
  | { event: 'team.sync'; state: TeamSyncState; pending: number; lagMs: number; reason?: string }
  | { event: 'team.agents'; id?: string; agents: TeamAgent[] }
  | { event: 'team.stats'; id?: string; team: TeamFigures; agents: TeamAgentFigures[] }
  // CRM hooks (docs/integrations.md): a URL for the CRM to open; a webhook's deliveries failing or back
  | { event: 'screenpop'; url: string; call: string; line: string }
  | { event: 'webhook.state'; webhook: number; url: string; state: WebhookState; pending: number; dropped: number; rejected: number; error?: string }
  // Presence (BLF) and message waiting
  | { event: 'presence'; ext: string; label: string; state: PresenceState }
  | { event: 'presence.list'; id?: string; lamps: PresenceLamp[]; mwi: MwiStatus[] }
  | { event: 'mwi'; line: string; waiting: boolean; new: number; old: number }
  | { event: 'error'; id?: string; cmd?: string; message: string }
  | { event: 'stopped' }
  // Desktop app and browser mode only (desk/link-prompts.ts): a sip:/tel: link waits for the agent's Dial or Cancel
  | { event: 'link.prompt'; prompt: string; target: string }
  | { event: 'link.prompt.ended'; prompt: string; outcome: 'dialled' | 'cancelled' };

export type ControlEventName = ControlEvent['event'];

/** What became of a REFER the far end sent: carried out (202), declined by the agent, unanswered, refused by LineDesk, or gone with its call (each 603, a second REFER while one waits 491). */
export type ReferOutcome = 'accepted' | 'declined' | 'timeout' | 'refused' | 'call-ended';

/** A webhook's deliveries: `ok` (the last POST was taken, or none was needed), `failing` (retrying with backoff, events kept). */
export type WebhookState = 'ok' | 'failing';

/** A watched colleague's lamp: idle, ringing (a call to them not yet answered), busy (on a call, or placing one), offline (not known: no subscription, or our line is down). */
export type PresenceState = 'idle' | 'ringing' | 'busy' | 'offline';

export interface PresenceLamp {
  ext: string;
  label: string;
  state: PresenceState;
}

/** A line's voicemail light (RFC 3842). */
export interface MwiStatus {
  line: string;
  waiting: boolean;
  new: number;
  old: number;
}

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
  /** The media was SRTP throughout (false: plain RTP at some point); absent when no media was reported. */
  encrypted?: boolean;
  /** The call's recording (its last one, when it was recorded in parts): the file's path. */
  recording?: string;
}

/**
 * The desk's link to the team database: connected (nothing waiting), behind (shipping a
 * backlog: `pending` outbox entries, the oldest `lagMs` old), offline (the database is
 * unreachable, refuses us, or has no LineDesk schema yet; `reason` says which).
 */
export type TeamSyncState = 'connected' | 'behind' | 'offline';

/** A call on an agent's line, as the supervisor sees it. */
export interface TeamCall {
  call: string;
  direction: 'in' | 'out';
  from: string;
  to: string;
  /** ringing: offered or dialling; active: answered. */
  phase: 'ringing' | 'active';
  since: number;
}

/** One agent as the team database knows them (their most recently seen desk). */
export interface TeamAgent {
  agentId: string;
  name: string;
  state: AgentStateName;
  reason?: string;
  since: number;
  lines: { line: string; state: RegistrationState; call?: TeamCall }[];
  /** When the agent's desk last reached the database (ms since the epoch). */
  lastSeen: number;
}

/** Team or per-agent figures: the personal statistics' figures, plus service level and abandon rate. */
export interface TeamFigures extends StatsSummary {
  /** The threshold of the service level, seconds (`team.serviceLevelSeconds`). */
  serviceLevelSeconds: number;
  /** Inbound calls answered within the threshold (offer to answer, queue wait included). */
  answeredWithinServiceLevel: number;
  /** answeredWithinServiceLevel / (offered - answeredElsewhere), 0-1. */
  serviceLevel: number;
  /** abandoned / (offered - answeredElsewhere), 0-1. */
  abandonRate: number;
}

/** One agent's figures: the team's kinds, except the breakdowns (callsPerHour, perLine, declinedByReason), which are the team's only and left empty here. */
export interface TeamAgentFigures extends TeamFigures {
  agentId: string;
  name: string;
}

export type Stamped<E> = E & { ts: number };
