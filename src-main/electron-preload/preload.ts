/**
 * The one preload of every LineDesk window, bundled to a single CommonJS file (sandboxed
 * renderers cannot load modules). It exposes exactly the LineDeskApi as `window.linedesk`:
 * no ipcRenderer, no channel names, nothing else. Which window is which, and what it may
 * do, is decided in the main process (ipc-guard.ts), never here.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Command, CommandResult } from '../contract/commands.js';
import type { ControlEvent, Stamped } from '../contract/control-events.js';
import { ipcChannels, type LineDeskApi, type SettingsSave, type SettingsView, type WindowHello } from '../contract/ipc-contract.js';

const api: LineDeskApi = {
  hello: () => ipcRenderer.invoke(ipcChannels.hello) as Promise<WindowHello>,
  command: (cmd: Command) => ipcRenderer.invoke(ipcChannels.command, cmd) as Promise<CommandResult>,
  onEvent: (listener) => {
    const forward = (_event: IpcRendererEvent, e: Stamped<ControlEvent>): void => listener(e);
    ipcRenderer.on(ipcChannels.event, forward);
    return () => {
      ipcRenderer.removeListener(ipcChannels.event, forward);
    };
  },
  getSettings: () => ipcRenderer.invoke(ipcChannels.settingsGet) as Promise<SettingsView>,
  saveSettings: (s: SettingsSave) => ipcRenderer.invoke(ipcChannels.settingsSave, s) as Promise<CommandResult>,
};

contextBridge.exposeInMainWorld('linedesk', api);
