import { readFile } from 'node:fs/promises';
import type { Protocol } from 'electron';
import { securityHeaders } from '../desk/content-security-policy.js';
import { resolveStaticFile } from '../desk/static-files.js';
import { appOrigin } from './ipc-guard.js';

export const appScheme = 'linedesk';

/**
 * Must run before `app.whenReady()`: `linedesk:` behaves like https (a standard, secure
 * origin). Vite's `<script type="module" crossorigin>` makes CORS-mode requests, so the
 * scheme takes part in CORS; they are same-origin, and nothing here sends
 * Access-Control-Allow-Origin, so no other origin can read the app's files.
 */
export function registerAppScheme(protocol: Protocol): void {
  protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } }]);
}

/**
 * Serves the built renderer as linedesk://app/…, with the CSP and the other security
 * headers on every response (file:// could not carry them, and Vite's module scripts need
 * a real origin). The same path checks as browser mode refuse anything outside the folder.
 */
export function serveApp(protocol: Protocol, rendererDir: string): void {
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    if (`${url.protocol}//${url.host}` !== appOrigin) return new Response(null, { status: 404 });
    const found = resolveStaticFile(rendererDir, url.pathname);
    if (!found.ok) return new Response(null, { status: found.status });
    const body = await readFile(found.file);
    return new Response(body, { headers: { ...securityHeaders(), 'Content-Type': found.type } });
  });
}

/** The address of one window of the app. */
export function windowUrl(query: Record<string, string>): string {
  return `${appOrigin}/index.html?${new URLSearchParams(query).toString()}`;
}
