import type { AgentStateName } from '../contract/control-events.js';
import type { DeskModel } from '../contract/desk-model.js';

export type TrayState = AgentStateName | 'ringing' | 'unknown';

/** Tray icon colour per state: green available, amber paused or wrap-up, red offline or DND, blue ringing. */
export const trayColours: Record<TrayState, string> = {
  available: '#1a7f37',
  paused: '#bf8700',
  wrapup: '#bc4c00',
  dnd: '#c62828',
  offline: '#6e7781',
  ringing: '#0969da',
  unknown: '#6e7781',
};

/** What the tray shows: a ringing call wins over the agent's state. */
export function trayStateOf(model: DeskModel): TrayState {
  if (model.lines.some((l) => l.offers.length > 0)) return 'ringing';
  return model.agent?.state ?? 'unknown';
}

/** Icon file of a state, under assets/tray/ (made by scripts/make-icons.mjs). */
export function trayIconFile(state: TrayState): string {
  return `tray-${state}.png`;
}

export function trayTooltip(model: DeskModel): string {
  const state = trayStateOf(model);
  const registered = model.lines.filter((l) => l.registration === 'registered').length;
  const reason = model.agent?.reason ? ` (${model.agent.reason})` : '';
  // The voicemail light (mwi), kept to a few words: the line window shows the details.
  const waiting = Object.values(model.mwi ?? {}).filter((w) => w.waiting);
  const voicemail = waiting.length > 0 ? ` · voicemail: ${waiting.reduce((n, w) => n + w.new, 0)} new` : '';
  return `LineDesk: ${state}${state === model.agent?.state ? reason : ''} · ${registered}/${model.lines.length} lines registered${voicemail}`;
}
