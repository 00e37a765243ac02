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

/** Calls `onLine` for every non-empty line of `input`, and `onEnd` when it closes. Lines over `maxBytes` are cut and reported. */
export function readLines(input: Readable, onLine: (line: string) => void, onEnd: () => void, maxBytes = 65_536): void {
  const rl = createInterface({ input, crlfDelay: Infinity });
  rl.on('line', (line) => {
    const t = line.trim();
    if (t) onLine(t.length > maxBytes ? t.slice(0, maxBytes) : t);
  });
  rl.on('close', onEnd);
}
