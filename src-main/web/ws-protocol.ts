import { z } from 'zod';
import type { ControlEvent, Stamped } from '../contract/control-events.js';
import { windowKinds } from '../contract/ipc-contract.js';

export { tokenSubprotocolPrefix, wsPath, wsSubprotocol } from '../contract/ipc-contract.js';

/**
 * Browser mode's WebSocket protocol: the LineDeskApi of the preload, as JSON messages.
 * The client authenticates in the handshake by offering two subprotocols, `linedesk.v1`
 * and `token.<token>` (a browser cannot set headers on a WebSocket, and a token in the URL
 * would end up in logs); the server answers with `linedesk.v1`.
 */
const requestId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Client → server. Payloads (`command`, `settings`) are validated again by their own schemas. */
export const clientMessageSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('hello'), id: requestId, kind: z.enum(windowKinds), line: z.string().min(1).max(64).optional() }),
  z.strictObject({ t: z.literal('command'), id: requestId, command: z.unknown() }),
  z.strictObject({ t: z.literal('settings.get'), id: requestId }),
  z.strictObject({ t: z.literal('settings.save'), id: requestId, settings: z.unknown() }),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** Server → client: the answer to one request, or a pushed event. */
export type ServerMessage =
  | { t: 'reply'; id: number; value: unknown }
  | { t: 'reply'; id: number; error: string }
  | { t: 'event'; event: Stamped<ControlEvent> }
  | { t: 'error'; message: string };
