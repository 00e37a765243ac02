import type { Translate } from '../../i18n/i18n.svelte.js';

/** How a caller is named on screen: the display name, else the number. */
export function callerLabel(c: { from: string; fromName?: string | undefined }, t: Translate): string {
  return c.fromName?.trim() || c.from || t('ring.unknownCaller');
}

/** Reasons an agent can give when declining; the id is what the core records. */
export const declineReasons = [
  { id: 'busy', key: 'reason.busy' },
  { id: 'break', key: 'reason.break' },
  { id: 'wrong-queue', key: 'reason.wrongQueue' },
  { id: 'callback', key: 'reason.callback' },
  { id: 'other', key: 'reason.other' },
] as const;

/** Enter must not answer while the agent is typing or has a control of its own focused. */
export function isInteractive(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON|A)$/.test(target.tagName));
}
