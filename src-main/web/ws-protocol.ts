import { z } from 'zod';
import { windowKinds } from '../contract/ipc-contract.js';
import type { ClientMessage } from '../contract/ws-messages.js';

export type { ClientMessage, ServerMessage } from '../contract/ws-messages.js';

/**
 * Browser mode's WebSocket protocol: the LineDeskApi of the preload, as JSON messages.
 * The client authenticates in the handshake by offering two subprotocols, `linedesk.v1`
 * and `token.<token>` (a browser cannot set headers on a WebSocket, and a token in the URL
 * would end up in logs); the server answers with `linedesk.v1`.
 */
const requestId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Client → server, as the server checks it; it must parse to exactly the contract's ClientMessage. */
export const clientMessageSchema: z.ZodType<ClientMessage> = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('hello'), id: requestId, kind: z.enum(windowKinds), line: z.string().min(1).max(64).optional() }),
  z.strictObject({ t: z.literal('command'), id: requestId, command: z.unknown() }),
  z.strictObject({ t: z.literal('settings.get'), id: requestId }),
  z.strictObject({ t: z.literal('settings.save'), id: requestId, settings: z.unknown() }),
]);
