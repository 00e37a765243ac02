import { wsPath, type LineDeskApi } from '../../../src-main/contract/ipc-contract.js';
import type { WindowRequest } from '../window-request.js';
import { WebSocketApi } from './websocket-api.js';

export interface Connection {
  api: LineDeskApi;
  /** Browser mode's access token (for links to other windows); none under Electron. */
  token?: string;
  mode: 'electron' | 'browser';
}

/**
 * The renderer's one way to LineDesk: the preload's `window.linedesk` under Electron,
 * otherwise browser mode's WebSocket, authenticated with the token from the page's
 * `#token=` fragment (kept in sessionStorage, so a reload still works, and removed from
 * the address bar).
 */
export function connectApi(request: WindowRequest): Connection {
  if (window.linedesk) return { api: window.linedesk, mode: 'electron' };
  const token = takeToken();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${wsPath}`;
  return { api: new WebSocketApi(url, token ?? '', request), mode: 'browser', ...(token ? { token } : {}) };
}

function takeToken(): string | undefined {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem('linedesk.token', fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem('linedesk.token') ?? undefined;
}
