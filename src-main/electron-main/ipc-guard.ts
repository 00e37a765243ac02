import { createIpcHandlers, IpcRefused, type IpcDesk, type WindowIdentity } from '../desk/window-requests.js';
import type { WindowRegistry } from './window-registry.js';

export { createIpcHandlers, IpcRefused, type IpcDesk } from '../desk/window-requests.js';

/** Who sent an IPC message: the webContents id and the URL of the frame that sent it. */
export interface IpcSender {
  contentsId: number;
  frameUrl: string;
}

/** Pages of the app are served from this origin only (see app-protocol.ts). */
export const appOrigin = 'linedesk://app';

/**
 * The window an IPC message comes from: one this shell created (its kind and line as the
 * shell made it, whatever the page claims), whose frame shows the app (not some
 * navigated-to page). Anything else is refused.
 */
export function ipcSenderIdentity(registry: WindowRegistry): (sender: IpcSender) => WindowIdentity {
  return (sender) => {
    const identity = registry.identify(sender.contentsId);
    if (!identity) throw new IpcRefused('refused: not a LineDesk window');
    if (!isAppUrl(sender.frameUrl)) throw new IpcRefused('refused: the sending frame is not the LineDesk app');
    return identity;
  };
}

/** The shell's IPC handlers: the shared window checks (window-requests.ts), senders identified by the registry, events on after hello. */
export function shellIpcHandlers(registry: WindowRegistry, desk: IpcDesk) {
  return createIpcHandlers(ipcSenderIdentity(registry), desk, { greeted: (sender) => registry.greeted(sender.contentsId) });
}

export function isAppUrl(url: string): boolean {
  return url === appOrigin || url.startsWith(`${appOrigin}/`);
}
