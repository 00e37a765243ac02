/**
 * The one Content-Security-Policy of every LineDesk window: scripts, styles and fonts from
 * the app itself only, no inline code, no eval, no plugins, no frames, no forms. Sent as a
 * response header (browser mode, and the Electron shell's `linedesk:` protocol and
 * `session.webRequest`), and repeated in index.html's <meta> for anything served without it.
 * `connect-src 'self'` also covers the browser-mode WebSocket on the same host and port.
 */
const directives: [string, string][] = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  // blob: the dashboard plays a call's recording from the bytes its window asked for (recording.get).
  ['media-src', "'self' blob:"],
  ['object-src', "'none'"],
  ['frame-src', "'none'"],
  ['worker-src', "'none'"],
  ['manifest-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** Directives a <meta> tag cannot carry (browsers ignore them there, with a console warning). */
const headerOnly = new Set(['frame-ancestors']);

export function contentSecurityPolicy(where: 'header' | 'meta' = 'header'): string {
  return directives
    .filter(([name]) => where === 'header' || !headerOnly.has(name))
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/** Headers every page and asset of the app is served with (browser mode and the `linedesk:` protocol). */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy('header'),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
  };
}
