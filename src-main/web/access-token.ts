import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh secret for one browser-mode run: 128 random bits as hex (a valid WebSocket subprotocol token). */
export function newAccessToken(): string {
  return randomBytes(16).toString('hex');
}

/** Compares in constant time, so the token cannot be guessed one character at a time. */
export function tokensEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
