/**
 * RFC 3842 message-summary bodies: "Messages-Waiting: yes" and counts such as
 * "Voice-Message: 2/8 (0/2)". Hostile input: capped in size and lines, and a malformed
 * body is an error, not a guess. The counts are the voice messages when the body has them,
 * else the sum of every message class.
 */
export const maxMessageSummaryBytes = 8 * 1024;

export interface MessageSummary {
  waiting: boolean;
  /** New (unheard) messages. */
  new: number;
  old: number;
}

export type MessageSummaryParse = { ok: true; summary: MessageSummary } | { ok: false; error: string };

const countLine = /^([A-Za-z-]+-Message)\s*:\s*(\d{1,9})\s*\/\s*(\d{1,9})(?:\s*\(\s*\d{1,9}\s*\/\s*\d{1,9}\s*\))?\s*$/i;

export function parseMessageSummary(body: string): MessageSummaryParse {
  if (Buffer.byteLength(body, 'utf8') > maxMessageSummaryBytes) return { ok: false, error: `body over ${maxMessageSummaryBytes} bytes` };
  let waiting: boolean | undefined;
  let voice: { new: number; old: number } | undefined;
  const total = { new: 0, old: 0 };
  const lines = body.split(/\r?\n/);
  if (lines.length > 64) return { ok: false, error: 'too many lines' };
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    const mw = /^Messages-Waiting\s*:\s*(yes|no)$/i.exec(line);
    if (mw) {
      waiting = mw[1]!.toLowerCase() === 'yes';
      continue;
    }
    const count = countLine.exec(line);
    if (count) {
      const n = { new: Number(count[2]), old: Number(count[3]) };
      total.new += n.new;
      total.old += n.old;
      if (count[1]!.toLowerCase() === 'voice-message') voice = n;
    }
    // Message-Account and extension headers carry nothing the indicator shows.
  }
  if (waiting === undefined) return { ok: false, error: 'no Messages-Waiting line' };
  const counts = voice ?? total;
  return { ok: true, summary: { waiting, new: counts.new, old: counts.old } };
}
