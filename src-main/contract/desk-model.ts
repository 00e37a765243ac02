import type { AgentStateName, ControlEvent, MwiStatus, PresenceLamp, Stamped } from './control-events.js';
import type { EndReason, OfferEnd, RegistrationState } from './vocabulary.js';

/**
 * What every LineDesk window shows, folded from control events: the lines with their
 * offers and calls, the queue and the agent's state. Pure and immutable (each event gives
 * a new model), so the same fold runs in the renderer (Svelte `$state.raw`), in the
 * Electron shell (tray, shortcuts, notifications) and in the host that hands a new window
 * its catch-up snapshot. Imports nothing but the contract: it runs in Node and in a page.
 */

export interface OfferView {
  call: string;
  from: string;
  fromName?: string;
  /** What the caller dialled (the To user). */
  to: string;
  attempt: number;
  since: number;
}

export interface QualityView {
  codec: string;
  lossPct: number;
  jitterMs: number;
  rttMs?: number;
  mos: number;
  at: number;
}

export interface TransferView {
  target: string;
  mode: 'blind' | 'attended';
  state: 'started' | 'accepted' | 'completed' | 'failed';
  detail?: string;
}

/** A REFER from the far end waiting for the agent's answer (refer.accept / refer.decline). */
export interface ReferView {
  /** The SIP URI LineDesk would call. */
  target: string;
  referredBy?: string;
  since: number;
}

export interface CallView {
  call: string;
  direction: 'in' | 'out';
  from: string;
  fromName?: string;
  to: string;
  /** dialing: INVITE sent; early: a provisional answer came; active: answered. */
  phase: 'dialing' | 'early' | 'active';
  since: number;
  answeredAt?: number;
  progress?: number;
  held: boolean;
  heldBy?: 'local' | 'remote';
  muted: boolean;
  /** The media is SRTP (from call.answered, then each call.quality); absent until known. */
  encrypted?: boolean;
  /** The file being recorded now (recording.started until recording.stopped). */
  recording?: string;
  quality?: QualityView;
  transfer?: TransferView;
  refer?: ReferView;
}

/** Why the line's last offer or call went away (shown briefly, never in snapshots). */
export interface EndedView {
  call: string;
  reason: EndReason | OfferEnd;
  code?: number;
  detail?: string;
  at: number;
}

export interface LineView {
  id: string;
  registration: RegistrationState;
  registrar?: string;
  reason?: string;
  dnd: boolean;
  /** Calls on the line are recorded (all) or may be (on-demand); absent: recording is off. */
  recording?: 'all' | 'on-demand';
  offers: OfferView[];
  calls: CallView[];
  lastEnded?: EndedView;
}

export interface QueueEntryView {
  call: string;
  position: number;
  from: string;
  to: string;
  since: number;
}

export interface AgentView {
  state: AgentStateName;
  reason?: string;
  since: number;
  wrapupEndsAt?: number;
}

/** A sip:/tel: link waiting for the agent's Dial or Cancel (one at a time: a new link replaces it). */
export interface LinkPromptView {
  prompt: string;
  target: string;
  since: number;
}

export interface DeskModel {
  lines: LineView[];
  queue: QueueEntryView[];
  agent?: AgentView;
  linkPrompt?: LinkPromptView;
  /** Watched colleagues' lamps (presence.watch), in config order; absent until the first `presence` event. */
  presence?: PresenceLamp[];
  /** Voicemail lights by line id; absent until the first `mwi` event. */
  mwi?: Record<string, MwiStatus>;
  transports: { protocol: string; local: string }[];
  ready: boolean;
  stopped: boolean;
}

export const emptyDeskModel: DeskModel = { lines: [], queue: [], transports: [], ready: false, stopped: false };

export function deskModelOf(events: readonly Stamped<ControlEvent>[], start: DeskModel = emptyDeskModel): DeskModel {
  return events.reduce(applyEvent, start);
}

/** The model after one event. Events that change nothing shown return the same object. */
export function applyEvent(m: DeskModel, e: Stamped<ControlEvent>): DeskModel {
  switch (e.event) {
    case 'ready': {
      let lines = m.lines.filter((l) => e.lines.includes(l.id));
      for (const id of e.lines) if (!lines.some((l) => l.id === id)) lines = [...lines, newLine(id)];
      lines = e.lines.map((id) => withRecording(lines.find((l) => l.id === id)!, e.recording?.[id]));
      return { ...m, lines, transports: e.transports, ready: true, stopped: false };
    }
    case 'line.state':
      return updateLine(withLine(m, e.line), e.line, (l) => {
        const next: LineView = { ...l, registration: e.state };
        if (e.registrar !== undefined) next.registrar = e.registrar;
        if (e.reason !== undefined) next.reason = e.reason;
        else delete next.reason;
        return next;
      });
    case 'line.dnd':
      return updateLine(withLine(m, e.line), e.line, (l) => ({ ...l, dnd: e.on }));
    case 'call.offered': {
      const offer: OfferView = { call: e.call, from: e.from, to: e.to, attempt: e.attempt, since: e.ts, ...(e.fromName !== undefined ? { fromName: e.fromName } : {}) };
      const queue = m.queue.filter((q) => q.call !== e.call);
      return updateLine({ ...withLine(m, e.line), queue }, e.line, (l) => ({ ...l, offers: [...l.offers.filter((o) => o.call !== e.call), offer] }));
    }
    case 'call.offer.ended':
      return updateLine(m, e.line, (l) => ({
        ...l,
        offers: l.offers.filter((o) => o.call !== e.call),
        lastEnded: { call: e.call, reason: e.reason, at: e.ts, ...(e.detail !== undefined ? { detail: e.detail } : {}) },
      }));
    case 'call.answered_elsewhere':
      return mapLines(m, (l) => (e.line === undefined || l.id === e.line ? dropOffer(l, e.call) : l));
    case 'call.queued': {
      const old = m.queue.find((q) => q.call === e.call);
      const entry: QueueEntryView = { call: e.call, position: e.position, from: e.from ?? old?.from ?? '', to: e.to ?? old?.to ?? '', since: old?.since ?? e.ts };
      const queue = [...m.queue.filter((q) => q.call !== e.call), entry].sort((a, b) => a.position - b.position);
      return { ...m, queue };
    }
    case 'call.dequeued':
      return { ...m, queue: m.queue.filter((q) => q.call !== e.call) };
    case 'call.rejected':
      return { ...m, queue: m.queue.filter((q) => q.call !== e.call) };
    case 'call.dialing':
      return updateLine(withLine(m, e.line), e.line, (l) => ({
        ...l,
        calls: [...l.calls.filter((c) => c.call !== e.call), { call: e.call, direction: 'out', from: '', to: e.to, phase: 'dialing', since: e.ts, held: false, muted: false }],
      }));
    case 'call.progress':
      return updateCall(m, e.line, e.call, (c) => ({ ...c, phase: c.phase === 'active' ? 'active' : 'early', progress: e.code }));
    case 'call.answered': {
      const answered = updateLine(withLine(m, e.line), e.line, (l) => answer(l, e.call, e.ts));
      return e.encrypted === undefined ? answered : updateCall(answered, e.line, e.call, (c) => ({ ...c, encrypted: e.encrypted }));
    }
    case 'call.held':
      return updateCall(m, e.line, e.call, (c) => ({ ...c, held: e.on, ...(e.on ? { heldBy: e.by } : {}) }));
    case 'call.muted':
      return updateCall(m, e.line, e.call, (c) => ({ ...c, muted: e.on }));
    case 'recording.started':
      return updateCall(m, e.line, e.call, (c) => ({ ...c, recording: e.file }));
    case 'recording.stopped':
      return updateCall(m, e.line, e.call, ({ recording, ...c }) => (recording === e.file ? c : { ...c, ...(recording ? { recording } : {}) }));
    case 'call.quality': {
      const quality: QualityView = { codec: e.codec, lossPct: e.lossPct, jitterMs: e.jitterMs, mos: e.mos, at: e.ts, ...(e.rttMs !== undefined ? { rttMs: e.rttMs } : {}) };
      return updateCall(m, e.line, e.call, (c) => ({ ...c, quality, ...(e.encrypted !== undefined ? { encrypted: e.encrypted } : {}) }));
    }
    case 'call.transfer': {
      const transfer: TransferView = { target: e.target, mode: e.mode, state: e.state, ...(e.detail !== undefined ? { detail: e.detail } : {}) };
      return updateCall(m, e.line, e.call, (c) => ({ ...c, transfer }));
    }
    case 'call.refer': {
      const refer: ReferView = { target: e.target, since: e.ts, ...(e.referredBy !== undefined ? { referredBy: e.referredBy } : {}) };
      return updateCall(m, e.line, e.call, (c) => ({ ...c, refer }));
    }
    case 'call.refer.ended': {
      // A REFER refused without asking was never shown.
      if (!m.lines.some((l) => l.id === e.line && l.calls.some((c) => c.call === e.call && c.refer))) return m;
      return updateCall(m, e.line, e.call, ({ refer: _gone, ...rest }) => rest);
    }
    case 'call.ended': {
      const queue = m.queue.filter((q) => q.call !== e.call);
      const ended: EndedView = { call: e.call, reason: e.reason, code: e.code, at: e.ts, ...(e.detail !== undefined ? { detail: e.detail } : {}) };
      const lines = m.lines.map((l) => {
        const had = l.offers.some((o) => o.call === e.call) || l.calls.some((c) => c.call === e.call);
        if (!had && l.id !== e.line) return l;
        return { ...l, offers: l.offers.filter((o) => o.call !== e.call), calls: l.calls.filter((c) => c.call !== e.call), lastEnded: ended };
      });
      return { ...m, lines, queue };
    }
    case 'agent.state': {
      const agent: AgentView = { state: e.state, since: e.since, ...(e.reason !== undefined ? { reason: e.reason } : {}), ...(e.wrapupEndsAt !== undefined ? { wrapupEndsAt: e.wrapupEndsAt } : {}) };
      return { ...m, agent };
    }
    case 'status':
      return applyStatus(m, e);
    case 'stopped':
      return { ...m, stopped: true, lines: m.lines.map((l) => ({ ...l, registration: 'unregistered', offers: [], calls: [] })), queue: [] };
    case 'presence': {
      const lamp: PresenceLamp = { ext: e.ext, label: e.label, state: e.state };
      const lamps = m.presence ?? [];
      const i = lamps.findIndex((l) => l.ext === e.ext);
      return { ...m, presence: i < 0 ? [...lamps, lamp] : lamps.map((l, j) => (j === i ? lamp : l)) };
    }
    case 'presence.list':
      return { ...m, presence: e.lamps, mwi: Object.fromEntries(e.mwi.map((w) => [w.line, w])) };
    case 'mwi':
      return { ...m, mwi: { ...m.mwi, [e.line]: { line: e.line, waiting: e.waiting, new: e.new, old: e.old } } };
    case 'link.prompt':
      return { ...m, linkPrompt: { prompt: e.prompt, target: e.target, since: e.ts } };
    case 'link.prompt.ended': {
      if (m.linkPrompt?.prompt !== e.prompt) return m;
      const { linkPrompt: _ended, ...rest } = m;
      return rest;
    }
    default:
      return m;
  }
}

/** A `status` answer is the whole truth: it resynchronises registrations, calls and the queue. */
function applyStatus(m: DeskModel, e: Extract<Stamped<ControlEvent>, { event: 'status' }>): DeskModel {
  let next = m;
  for (const s of e.lines) {
    next = updateLine(withLine(next, s.line), s.line, (l) => {
      const offers = s.calls
        .filter((c) => c.state === 'ringing')
        .map((c): OfferView => l.offers.find((o) => o.call === c.call) ?? { call: c.call, from: c.from, to: c.to, attempt: 1, since: e.ts });
      const calls = s.calls
        .filter((c) => c.state === 'active' || c.state === 'answering')
        .map((c): CallView => {
          const known = l.calls.find((k) => k.call === c.call);
          const base: CallView = known ?? { call: c.call, direction: 'in', from: c.from, to: c.to, phase: 'active', since: e.ts, answeredAt: e.ts, held: false, muted: false };
          return { ...base, held: c.held ?? base.held, muted: c.muted ?? base.muted };
        });
      return { ...l, registration: s.state, dnd: s.dnd, offers, calls };
    });
  }
  const queue = e.queue.map((q) => ({ call: q.call, position: q.position, from: q.from, to: q.to, since: e.ts - q.waitedMs })).sort((a, b) => a.position - b.position);
  const agent = e.agent ? { state: e.agent.state, since: e.agent.since, ...(e.agent.reason !== undefined ? { reason: e.agent.reason } : {}) } : next.agent;
  return { ...next, queue, ...(agent ? { agent } : {}) };
}

function answer(l: LineView, call: string, at: number): LineView {
  const existing = l.calls.find((c) => c.call === call);
  if (existing) return { ...l, calls: l.calls.map((c) => (c.call === call ? { ...c, phase: 'active', answeredAt: at } : c)) };
  const offer = l.offers.find((o) => o.call === call);
  const fresh: CallView = {
    call,
    direction: 'in',
    from: offer?.from ?? '',
    to: offer?.to ?? '',
    phase: 'active',
    since: offer?.since ?? at,
    answeredAt: at,
    held: false,
    muted: false,
    ...(offer?.fromName !== undefined ? { fromName: offer.fromName } : {}),
  };
  return { ...l, offers: l.offers.filter((o) => o.call !== call), calls: [...l.calls, fresh] };
}

function newLine(id: string): LineView {
  return { id, registration: 'unregistered', dnd: false, offers: [], calls: [] };
}

function withLine(m: DeskModel, id: string): DeskModel {
  return m.lines.some((l) => l.id === id) ? m : { ...m, lines: [...m.lines, newLine(id)] };
}

function mapLines(m: DeskModel, fn: (l: LineView) => LineView): DeskModel {
  let changed = false;
  const lines = m.lines.map((l) => {
    const n = fn(l);
    if (n !== l) changed = true;
    return n;
  });
  return changed ? { ...m, lines } : m;
}

function updateLine(m: DeskModel, id: string, fn: (l: LineView) => LineView): DeskModel {
  return mapLines(m, (l) => (l.id === id ? fn(l) : l));
}

function updateCall(m: DeskModel, line: string, call: string, fn: (c: CallView) => CallView): DeskModel {
  return updateLine(m, line, (l) => (l.calls.some((c) => c.call === call) ? { ...l, calls: l.calls.map((c) => (c.call === call ? fn(c) : c)) } : l));
}

function dropOffer(l: LineView, call: string): LineView {
  return l.offers.some((o) => o.call === call) ? { ...l, offers: l.offers.filter((o) => o.call !== call) } : l;
}

/**
 * The events that bring a new window to this model (its catch-up snapshot): folding them
 * into an empty model gives the same lines, offers, calls, queue and agent state.
 */
export function snapshotOf(m: DeskModel, now: number): Stamped<ControlEvent>[] {
  const out: Stamped<ControlEvent>[] = [];
  const recording = Object.fromEntries(m.lines.flatMap((l) => (l.recording ? [[l.id, l.recording] as const] : [])));
  if (m.ready) out.push({ event: 'ready', lines: m.lines.map((l) => l.id), transports: m.transports, ...(Object.keys(recording).length > 0 ? { recording } : {}), ts: now });
  for (const l of m.lines) {
    out.push({ event: 'line.state', line: l.id, state: l.registration, ...(l.registrar !== undefined ? { registrar: l.registrar } : {}), ...(l.reason !== undefined ? { reason: l.reason } : {}), ts: now });
    if (l.dnd) out.push({ event: 'line.dnd', line: l.id, on: true, ts: now });
    for (const o of l.offers) {
      out.push({ event: 'call.offered', call: o.call, line: l.id, from: o.from, to: o.to, attempt: o.attempt, ...(o.fromName !== undefined ? { fromName: o.fromName } : {}), ts: o.since });
    }
    for (const c of l.calls) out.push(...callSnapshot(l.id, c));
  }
  for (const q of m.queue) out.push({ event: 'call.queued', call: q.call, position: q.position, from: q.from, to: q.to, ts: q.since });
  if (m.agent) out.push({ event: 'agent.state', ...m.agent, ts: now });
  if (m.linkPrompt) out.push({ event: 'link.prompt', prompt: m.linkPrompt.prompt, target: m.linkPrompt.target, ts: m.linkPrompt.since });
  for (const lamp of m.presence ?? []) out.push({ event: 'presence', ...lamp, ts: now });
  for (const w of Object.values(m.mwi ?? {})) out.push({ event: 'mwi', ...w, ts: now });
  return out;
}

function withRecording(l: LineView, mode: 'all' | 'on-demand' | undefined): LineView {
  if (mode === l.recording) return l;
  const { recording: _was, ...rest } = l;
  return mode ? { ...rest, recording: mode } : rest;
}

function callSnapshot(line: string, c: CallView): Stamped<ControlEvent>[] {
  const out: Stamped<ControlEvent>[] = [];
  const { call } = c;
  if (c.direction === 'out') {
    out.push({ event: 'call.dialing', call, line, to: c.to, ts: c.since });
    if (c.progress !== undefined) out.push({ event: 'call.progress', call, line, code: c.progress, ts: c.since });
  } else {
    out.push({ event: 'call.offered', call, line, from: c.from, to: c.to, attempt: 1, ...(c.fromName !== undefined ? { fromName: c.fromName } : {}), ts: c.since });
  }
  const at = c.answeredAt ?? c.since;
  if (c.phase === 'active') out.push({ event: 'call.answered', call, line, ...(c.encrypted !== undefined ? { encrypted: c.encrypted } : {}), ts: at });
  if (c.held) out.push({ event: 'call.held', call, line, on: true, by: c.heldBy ?? 'local', ts: at });
  if (c.muted) out.push({ event: 'call.muted', call, line, on: true, ts: at });
  if (c.recording) out.push({ event: 'recording.started', call, line, file: c.recording, ts: at });
  if (c.quality) {
    const q = c.quality;
    out.push({ event: 'call.quality', call, line, codec: q.codec, lossPct: q.lossPct, jitterMs: q.jitterMs, mos: q.mos, ...(q.rttMs !== undefined ? { rttMs: q.rttMs } : {}), ...(c.encrypted !== undefined ? { encrypted: c.encrypted } : {}), ts: q.at });
  }
  if (c.transfer) out.push({ event: 'call.transfer', call, line, ...c.transfer, ts: at });
  if (c.refer) out.push({ event: 'call.refer', call, line, target: c.refer.target, ...(c.refer.referredBy !== undefined ? { referredBy: c.refer.referredBy } : {}), ts: c.refer.since });
  return out;
}

/** Lines with a call ringing, oldest offer first (for "answer" shortcuts and notifications). */
export function ringingLines(m: DeskModel): { line: LineView; offer: OfferView }[] {
  return m.lines
    .flatMap((line) => line.offers.map((offer) => ({ line, offer })))
    .sort((a, b) => a.offer.since - b.offer.since);
}

/** Registered lines with nothing ringing or up, in config order: where a redial or a dialled link can go. */
export function freeLines(m: DeskModel): LineView[] {
  return m.lines.filter((l) => l.registration === 'registered' && l.offers.length === 0 && l.calls.length === 0);
}

/** The line's call whose REFER waits for the agent, if any. */
export function referringCall(l: LineView): CallView | undefined {
  return l.calls.find((c) => c.refer !== undefined);
}

/** The call a line window acts on: the one not on hold, else the latest. */
export function currentCall(l: LineView): CallView | undefined {
  return l.calls.find((c) => !c.held) ?? l.calls[l.calls.length - 1];
}
