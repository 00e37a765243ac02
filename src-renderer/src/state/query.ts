import type { CommandResult } from '../../../src-main/contract/commands.js';
import type { ControlEvent, Stamped } from '../../../src-main/contract/control-events.js';

/**
 * Answers to queries (`stats`, `history`, `devices.list`) come either as the command's
 * result value or as an event carrying the request id; this takes whichever arrives.
 */
export async function queryAnswer<T>(
  send: () => Promise<CommandResult>,
  onEvent: (l: (e: Stamped<ControlEvent>) => void) => () => void,
  id: string,
  pick: (candidate: unknown) => T | undefined,
  timeoutMs = 5_000,
): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  let off: () => void = () => {};
  const fromEvent = new Promise<T>((resolve) => {
    off = onEvent((e) => {
      const v = 'id' in e && e.id === id ? pick(e) : undefined;
      if (v !== undefined) resolve(v);
    });
  });
  try {
    const result = await send();
    if (!result.ok) return { ok: false, error: result.error };
    const direct = pick(result.value);
    if (direct !== undefined) return { ok: true, value: direct };
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs));
    const v = await Promise.race([fromEvent, timeout]);
    return v === undefined ? { ok: false, error: 'no answer from LineDesk' } : { ok: true, value: v };
  } finally {
    off();
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function newRequestId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
