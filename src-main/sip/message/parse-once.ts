import { appendFileSync } from 'node:fs';
import { Core, UserAgent } from 'sip.js';
import type { SipMessage } from './sip-message.js';
import { firstDifference } from './sipjs-compare.js';
import { toSipJsMessage, type SipJsIncoming } from './sipjs-incoming.js';

/**
 * LINEDESK_SIP_PARSE_CHECK=<file>: every message built for sip.js is also parsed by sip.js
 * from its text and the two compared; a difference is appended to the file (and sip.js's
 * own message used), and the count of messages compared when the process exits. A
 * diagnostic for test runs: it parses every message twice.
 */
const checkFile = process.env.LINEDESK_SIP_PARSE_CHECK;
let checked = 0;
let built = 0;
if (checkFile) {
  process.on('exit', () => {
    try {
      appendFileSync(checkFile, `${JSON.stringify({ pid: process.pid, checked, built })}\n`);
    } catch {
      // a diagnostic only
    }
  });
}

/**
 * Whether the installed sip.js takes a built message (patches/required applied by npm's
 * postinstall). Without the patch every message goes as text, as before.
 */
export const sipJsTakesMessages = String((UserAgent.prototype as unknown as Record<string, unknown>).onTransportMessage).includes('typeof messageString === "string"');

const quiet = { warn: () => {}, error: () => {}, log: () => {}, debug: () => {} };

/** What sip.js gets for a message the mux parsed: built from it when possible (else undefined: hand sip.js the text). */
export function incomingFor(message: SipMessage, text: string): SipJsIncoming | undefined {
  if (!sipJsTakesMessages) return undefined;
  const ours = toSipJsMessage(message, text);
  if (!checkFile) return ours;
  checked++;
  if (ours) built++;
  const theirs = Core.Parser.parseMessage(text, quiet as unknown as Core.Logger);
  if (!ours) return undefined;
  const diff = firstDifference(ours, theirs);
  if (!diff) return ours;
  try {
    appendFileSync(checkFile, `${JSON.stringify({ pid: process.pid, diff, text })}\n`);
  } catch {
    // a diagnostic only
  }
  return theirs;
}
