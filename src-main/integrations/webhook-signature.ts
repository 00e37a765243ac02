import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'X-LineDesk-Signature';

/** How far a signature's timestamp may be from the receiver's clock by default (docs/integrations.md). */
export const DEFAULT_TOLERANCE_SEC = 300;

/** The signed text: the timestamp, a dot, the raw body, so a timestamp cannot be moved onto another body. */
function mac(secret: string, timestampSec: number, body: string): Buffer {
  return createHmac('sha256', secret).update(`${timestampSec}.${body}`, 'utf8').digest();
}

/** The header value for `body` sent at `timestampSec`. Signed at each attempt: a retry carries a fresh timestamp. */
export function signWebhook(secret: string, body: string, timestampSec: number): string {
  return `t=${timestampSec},v1=${mac(secret, timestampSec, body).toString('hex')}`;
}

export type VerifyResult = { ok: true; timestampSec: number } | { ok: false; reason: string };

/**
 * What a receiver does (and what the tests' receiver uses): parse the header, recompute the
 * HMAC over the raw body bytes as received, compare in constant time, and refuse a timestamp
 * outside the tolerance, so a captured request cannot be replayed later. Within the window
 * the receiver deduplicates by the delivery id.
 */
export function verifyWebhook(secret: string, body: string, header: string | undefined, nowSec: number, toleranceSec = DEFAULT_TOLERANCE_SEC): VerifyResult {
  if (!header) return { ok: false, reason: 'no signature header' };
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (t === undefined) return { ok: false, reason: 'no timestamp in the signature header' };
  if (candidates.length === 0) return { ok: false, reason: 'no v1 signature in the header' };
  if (Math.abs(nowSec - t) > toleranceSec) return { ok: false, reason: `timestamp ${t} is more than ${toleranceSec} s from now (${nowSec}): a replay or a wrong clock` };
  const expected = mac(secret, t, body);
  if (!candidates.some((c) => timingSafeEqual(Buffer.from(c, 'hex'), expected))) return { ok: false, reason: 'signature does not match the body' };
  return { ok: true, timestampSec: t };
}
