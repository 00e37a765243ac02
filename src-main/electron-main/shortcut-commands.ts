import type { Command } from '../contract/commands.js';
import { currentCall, ringingLines, type DeskModel } from '../contract/desk-model.js';
import type { ShortcutAction } from '../desk/settings-schema.js';

/**
 * What a global shortcut does right now. Answer and decline act on the call that has
 * been ringing longest (or the focused line's, if it rings); hang up and mute act on the
 * focused line's call, else on the only line in a call. Nothing sensible to do: undefined.
 */
export function shortcutCommand(action: ShortcutAction, model: DeskModel, focusedLine?: string): Command | undefined {
  if (action === 'answer' || action === 'decline') {
    const ringing = ringingLines(model);
    const target = ringing.find((r) => r.line.id === focusedLine) ?? ringing[0];
    if (!target) return undefined;
    return action === 'answer' ? { cmd: 'accept', line: target.line.id } : { cmd: 'decline', line: target.line.id, reason: 'shortcut' };
  }
  const inCall = model.lines.filter((l) => l.calls.length > 0);
  const line = inCall.find((l) => l.id === focusedLine) ?? (inCall.length === 1 ? inCall[0] : undefined);
  if (!line) return undefined;
  if (action === 'hangup') return { cmd: 'hangup', line: line.id };
  const call = currentCall(line);
  return call ? { cmd: 'mute', line: line.id, on: !call.muted } : undefined;
}
