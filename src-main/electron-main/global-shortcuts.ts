import { globalShortcut } from 'electron';
import type { Logger } from '../common/logger.js';
import type { Command } from '../contract/commands.js';
import type { DeskModel } from '../contract/desk-model.js';
import { shortcutActions, type DeskPrefs } from '../desk/settings-schema.js';
import { shortcutCommand } from './shortcut-commands.js';

export interface ShortcutDeps {
  model(): DeskModel;
  focusedLine(): string | undefined;
  execute(cmd: Command): void;
  log: Logger;
}

/**
 * System-wide shortcuts for answer, decline, hang up and mute (from the settings), so an
 * agent can answer while typing in the CRM. Re-applied whenever the settings change; an
 * accelerator another program holds is logged and skipped.
 */
export function applyShortcuts(prefs: DeskPrefs, deps: ShortcutDeps): void {
  globalShortcut.unregisterAll();
  for (const action of shortcutActions) {
    const accelerator = prefs.shortcuts[action];
    if (!accelerator) continue;
    const ok = globalShortcut.register(accelerator, () => {
      const cmd = shortcutCommand(action, deps.model(), deps.focusedLine());
      if (cmd) deps.execute(cmd);
    });
    if (!ok) deps.log.warn('a global shortcut is taken by another program', { action, accelerator });
  }
}
