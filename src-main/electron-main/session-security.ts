import { contentSecurityPolicy } from '../desk/content-security-policy.js';
import { denyAllPermissions, type HardenLog, type PermissionSession } from './harden-web-contents.js';

/** The part of Electron's Session this module touches. */
export interface SecurableSession extends PermissionSession {
  webRequest: {
    onHeadersReceived(listener: (details: { url: string; responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void): void;
  };
}

/**
 * Session-wide rules: no permission is ever granted, and every response carries the app's
 * Content-Security-Policy header (any CSP already there is replaced, so a response cannot
 * loosen it). The `linedesk:` protocol handler sends the same header itself.
 */
export function secureSession(session: SecurableSession, log: HardenLog): void {
  denyAllPermissions(session, log);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders) });
  });
}

export function withCsp(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  out['Content-Security-Policy'] = [contentSecurityPolicy('header')];
  return out;
}
