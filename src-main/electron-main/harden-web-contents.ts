/**
 * Locks down one window's web contents: it can never navigate away from the app, open
 * new windows, attach a <webview>, or get a permission (camera, microphone, notifications,
 * geolocation…); LineDesk's audio runs in the main process and needs none of them.
 * Takes a minimal interface rather than Electron's WebContents, so the rules are unit
 * tested under plain Node with a fake.
 */
export interface PreventableEvent {
  preventDefault(): void;
}

export interface HardenableContents {
  /** Electron passes the URL second for will-navigate and will-redirect, and in the event for the others. */
  on(event: string, listener: (event: PreventableEvent & { url?: string }, url?: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  session: PermissionSession;
}

export interface PermissionSession {
  setPermissionRequestHandler(handler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((contents: unknown, permission: string) => boolean) | null): void;
}

export interface HardenLog {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export function hardenWebContents(contents: HardenableContents, log: HardenLog): void {
  const block = (what: string) => (event: PreventableEvent & { url?: string }, url?: string) => {
    event.preventDefault();
    log.warn(`blocked ${what}`, { url: url ?? event.url });
  };
  contents.on('will-navigate', block('a navigation'));
  contents.on('will-redirect', block('a redirect'));
  contents.on('will-frame-navigate', block('a frame navigation'));
  contents.on('will-attach-webview', block('a <webview>'));
  contents.setWindowOpenHandler(({ url }) => {
    log.warn('blocked a new window', { url });
    return { action: 'deny' };
  });
  denyAllPermissions(contents.session, log);
}

/** Every permission request and check of the session is refused. */
export function denyAllPermissions(session: PermissionSession, log: HardenLog): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log.warn('refused a permission request', { permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}
