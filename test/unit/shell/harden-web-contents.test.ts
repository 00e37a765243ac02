import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hardenWebContents, type HardenableContents } from '../../../src-main/electron-main/harden-web-contents.js';

type Listener = (event: { preventDefault(): void; url?: string }, url?: string) => void;

/** Just enough of a WebContents to see what the hardening registers. */
function fakeContents() {
  const listeners = new Map<string, Listener[]>();
  let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
  let requestHandler: ((c: unknown, p: string, cb: (g: boolean) => void) => void) | null = null;
  let checkHandler: ((c: unknown, p: string) => boolean) | null = null;
  const contents: HardenableContents = {
    on: (event: string, l: Listener) => listeners.set(event, [...(listeners.get(event) ?? []), l]),
    setWindowOpenHandler: (h) => (openHandler = h),
    session: {
      setPermissionRequestHandler: (h) => (requestHandler = h),
      setPermissionCheckHandler: (h) => (checkHandler = h),
    },
  };
  const fire = (event: string, url: string): boolean => {
    let prevented = false;
    for (const l of listeners.get(event) ?? []) l({ preventDefault: () => (prevented = true), url }, url);
    return prevented;
  };
  return { contents, fire, open: (url: string) => openHandler?.({ url }), request: () => requestHandler, check: () => checkHandler };
}

const warnings: string[] = [];
const log = { warn: (m: string) => void warnings.push(m) };

describe('hardenWebContents', () => {
  test('every navigation, redirect and frame navigation is prevented, to any URL', () => {
    const f = fakeContents();
    hardenWebContents(f.contents, log);
    for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      for (const url of ['https://evil.example/', 'file:///etc/passwd', 'linedesk://app/index.html?window=settings']) {
        assert.equal(f.fire(event, url), true, `${event} ${url}`);
      }
    }
  });

  test('window.open and target=_blank are denied', () => {
    const f = fakeContents();
    hardenWebContents(f.contents, log);
    assert.deepEqual(f.open('https://evil.example/'), { action: 'deny' });
    assert.deepEqual(f.open('linedesk://app/index.html'), { action: 'deny' });
  });

  test('a <webview> is never attached', () => {
    const f = fakeContents();
    hardenWebContents(f.contents, log);
    assert.equal(f.fire('will-attach-webview', ''), true);
  });

  test('every permission request is refused and every check answers false', () => {
    const f = fakeContents();
    hardenWebContents(f.contents, log);
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'hid']) {
      let granted: boolean | undefined;
      f.request()!({}, permission, (g) => (granted = g));
      assert.equal(granted, false, permission);
      assert.equal(f.check()!({}, permission), false, permission);
    }
  });
});
