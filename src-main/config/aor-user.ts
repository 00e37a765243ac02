import { parseSipUri } from '../sip/message/sip-message.js';

/**
 * The user part of a line's address of record: "200" of "sip:200@pbx.example.com" (the
 * line's number). Parsed as the SIP line parses its AOR, so the dispatcher, the statistics
 * and the line agree. Undefined for a URI without a user, which the config schema refuses.
 */
export function aorUser(aor: string): string | undefined {
  return parseSipUri(aor)?.user;
}
