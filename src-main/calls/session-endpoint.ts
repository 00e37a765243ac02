import type { MediaEndpoint } from '../media/media-engine.js';

/**
 * The call's media as one SIP session's SDH sees it: everything but close(). sip.js closes
 * a session's SDH when that session ends, but a call may outlive its first session (a 3xx
 * or 422 sends a new INVITE, with a new session, on the same media), and the call closes
 * its own media when it ends.
 */
export function sessionEndpoint(media: MediaEndpoint): MediaEndpoint {
  return new Proxy(media, {
    get(target, property) {
      if (property === 'close') return () => {};
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
