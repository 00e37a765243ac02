import type { WindowKind } from '../../src-main/contract/ipc-contract.js';

/** Which window this page is, from its URL: `?window=line&line=l1`, `?window=dashboard`, `?window=settings`, `?window=team`. */
export interface WindowRequest {
  kind: WindowKind;
  line?: string;
}

export function windowRequestFrom(search: string): WindowRequest {
  const q = new URLSearchParams(search);
  const kind = q.get('window');
  const line = q.get('line');
  if (kind === 'line' && line) return { kind, line };
  if (kind === 'settings' || kind === 'team') return { kind };
  return { kind: 'dashboard' };
}

/** Page address of another window, keeping this page's origin (browser mode passes its token on). */
export function windowHref(target: WindowRequest, token?: string): string {
  const q = new URLSearchParams({ window: target.kind, ...(target.line ? { line: target.line } : {}) });
  return `./?${q.toString()}${token ? `#token=${encodeURIComponent(token)}` : ''}`;
}
