import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** Writes one JSON object per line. A closed or broken pipe is ignored, never fatal. */
export function jsonLineWriter(out: Writable): (obj: object) => void {
  let broken = false;
  out.on('error', () => (broken = true));
  return (obj) => {
    if (broken) return;
    try {
      out.write(JSON.stringify(obj) + '\n');
    } catch {
      broken = true;
    }
  };
}

/**
 * Calls `onLine` for every non-empty line of `input` (trimmed), and `onEnd` when it closes.
 * A line longer than `maxChars` characters is truncated to that length and passed on; it
 * reports nothing itself (a truncated command is then no longer valid JSON, which the
 * caller answers with an error).
 */
export function readLines(input: Readable, onLine: (line: string) => void, onEnd: () => void, maxChars = 65_536): void {
  const rl = createInterface({ input, crlfDelay: Infinity });
  rl.on('line', (line) => {
    const t = line.trim();
    if (t) onLine(t.length > maxChars ? t.slice(0, maxChars) : t);
  });
  rl.on('close', onEnd);
}
