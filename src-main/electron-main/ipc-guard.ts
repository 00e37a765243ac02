import { parseCommand, type Command, type CommandResult } from '../contract/commands.js';
import type { SettingsView, WindowHello } from '../contract/ipc-contract.js';
import type { WindowIdentity, WindowRegistry } from './window-registry.js';

/** What the shell's IPC handlers may ask of the desk (DeskHost implements it). */
export interface IpcDesk {
  hello(kind: WindowIdentity['kind'], line?: string): WindowHello;
  execute(cmd: Command): Promise<CommandResult>;
  settings(): SettingsView;
  saveSettings(input: unknown): Promise<CommandResult>;
}

/** Who sent an IPC message: the webContents id and the URL of the frame that sent it. */
export interface IpcSender {
  contentsId: number;
  frameUrl: string;
}

export class IpcRefused extends Error {
  override readonly name = 'IpcRefused';
}

/** Pages of the app are served from this origin only (see app-protocol.ts). */
export const appOrigin = 'linedesk://app';

/**
 * The main-side checks of every IPC request, before the desk sees it: the sender must be a
 * window this shell created and its frame must show the app (not some navigated-to page),
 * settings are readable and writable from the settings window only, and a command must pass
 * `parseCommand`. Refusals throw (the renderer's invoke rejects); a command that fails
 * validation is answered like any failed command.
 */
export function createIpcHandlers(registry: WindowRegistry, desk: IpcDesk) {
  const senderOf = (sender: IpcSender): WindowIdentity => {
    const identity = registry.identify(sender.contentsId);
    if (!identity) throw new IpcRefused('refused: not a LineDesk window');
    if (!isAppUrl(sender.frameUrl)) throw new IpcRefused('refused: the sending frame is not the LineDesk app');
    return identity;
  };
  const settingsWindow = (sender: IpcSender): void => {
    if (senderOf(sender).kind !== 'settings') throw new IpcRefused('refused: settings are only available to the settings window');
  };
  return {
    hello(sender: IpcSender): WindowHello {
      const w = senderOf(sender);
      const hello = desk.hello(w.kind, w.line);
      registry.greeted(sender.contentsId);
      return hello;
    },
    async command(sender: IpcSender, payload: unknown): Promise<CommandResult> {
      senderOf(sender);
      const parsed = parseCommand(payload);
      if (!parsed.ok) return { ok: false, error: parsed.message };
      return desk.execute(parsed.command);
    },
    settingsGet(sender: IpcSender): SettingsView {
      settingsWindow(sender);
      return desk.settings();
    },
    async settingsSave(sender: IpcSender, payload: unknown): Promise<CommandResult> {
      settingsWindow(sender);
      return desk.saveSettings(payload);
    },
  };
}

export type IpcHandlers = ReturnType<typeof createIpcHandlers>;

export function isAppUrl(url: string): boolean {
  return url === appOrigin || url.startsWith(`${appOrigin}/`);
}
