import type { ControlEvent, Stamped } from './control-events.js';
import type { WindowKind } from './ipc-contract.js';

/**
 * Browser mode's WebSocket messages: the LineDeskApi of the preload, as JSON. The types
 * live here, free of zod, for the windows; the server validates what clients send with
 * the schema in src-main/web/ws-protocol.ts, which is checked against these types.
 */

/** Client → server. Payloads (`command`, `settings`) are validated again by their own schemas. */
export type ClientMessage =
  | { t: 'hello'; id: number; kind: WindowKind; line?: string | undefined }
  | { t: 'command'; id: number; command: unknown }
  | { t: 'settings.get'; id: number }
  | { t: 'settings.save'; id: number; settings: unknown };

/** Server → client: the answer to one request, or a pushed event. */
export type ServerMessage =
  | { t: 'reply'; id: number; value: unknown }
  | { t: 'reply'; id: number; error: string }
  | { t: 'event'; event: Stamped<ControlEvent> }
  | { t: 'error'; message: string };
