import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface JsonLineWriter {
  (obj: object): void;
  /** Writes what is waiting now (before the process ends). */
  flush(): void;
}

/**
 * Writes one JSON object per line. Lines written in one turn of the event loop go out in
 * one write, at its end (setImmediate): each write to a pipe is a system call that wakes
 * the reader, and a call's events come in bursts. A closed or broken pipe is ignored, never fatal.
 */
export function jsonLineWriter(out: Writable): JsonLineWriter {
  let broken = false;
  let pending = '';
  let scheduled = false;
  out.on('error', () => (broken = true));
  const flush = (): void => {
    scheduled = false;
    if (broken || !pending) return;
    const chunk = pending;
    pending = '';
    try {
      out.write(chunk);
    } catch {
      broken = true;
    }
  };
  const write = (obj: object): void => {
    if (broken) return;
    pending += JSON.stringify(obj) + '\n';
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return Object.assign(write, { flush });
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
