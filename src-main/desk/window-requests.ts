import { parseCommand, type Command, type CommandResult } from '../contract/commands.js';
import type { SettingsView, WindowHello, WindowKind } from '../contract/ipc-contract.js';

/** Which window a request comes from. */
export interface WindowIdentity {
  kind: WindowKind;
  line?: string;
}

/** What a window may ask of the desk (DeskHost implements it). */
export interface IpcDesk {
  hello(kind: WindowKind, line?: string): WindowHello;
  execute(cmd: Command): Promise<CommandResult>;
  settings(): SettingsView;
  saveSettings(input: unknown): Promise<CommandResult>;
}

/** A request refused before the desk saw it (the sender is unknown, or may not ask that). */
export class IpcRefused extends Error {
  override readonly name = 'IpcRefused';
}

/**
 * Every window request, the same for the Electron IPC and browser mode's WebSocket, before
 * the desk sees it: `identify` names the sending window or throws IpcRefused (Electron: a
 * window the shell created, showing the app; browser mode: the tab that said hello),
 * settings are readable and writable from the settings window only, and a command must
 * pass `parseCommand`. Refusals throw; a command that fails validation is answered like
 * any failed command.
 */
export function createIpcHandlers<S>(identify: (sender: S) => WindowIdentity, desk: IpcDesk, hooks: { greeted?(sender: S): void } = {}) {
  const settingsWindow = (sender: S): void => {
    if (identify(sender).kind !== 'settings') throw new IpcRefused('refused: settings are only available to the settings window');
  };
  return {
    hello(sender: S): WindowHello {
      const w = identify(sender);
      const hello = desk.hello(w.kind, w.line);
      hooks.greeted?.(sender);
      return hello;
    },
    async command(sender: S, payload: unknown): Promise<CommandResult> {
      identify(sender);
      const parsed = parseCommand(payload);
      if (!parsed.ok) return { ok: false, error: parsed.message };
      return desk.execute(parsed.command);
    },
    settingsGet(sender: S): SettingsView {
      settingsWindow(sender);
      return desk.settings();
    },
    async settingsSave(sender: S, payload: unknown): Promise<CommandResult> {
      settingsWindow(sender);
      return desk.saveSettings(payload);
    },
  };
}

export type IpcHandlers<S> = ReturnType<typeof createIpcHandlers<S>>;
