import { readJsonOr, writeJsonAtomic } from '../common/json-file.js';
import { privateFileMode } from '../common/private-files.js';

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where each window was (key: "dashboard", "settings", "line:l1"), in a JSON file in
 * userData. A saved position is used only if it still overlaps a screen, so a window never
 * reopens on a monitor that was unplugged.
 */
export class WindowBoundsStore {
  #all: Record<string, Bounds>;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly file: string) {
    this.#all = read(file);
  }

  get(key: string, screens: readonly Bounds[]): Bounds | undefined {
    const b = this.#all[key];
    return b && screens.some((s) => overlaps(b, s)) ? b : undefined;
  }

  /** Remembers a window's place; written to disk half a second after the last move. */
  set(key: string, bounds: Bounds): void {
    this.#all = { ...this.#all, [key]: bounds };
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.flush(), 500);
  }

  flush(): void {
    clearTimeout(this.#timer);
    writeJsonAtomic(this.file, this.#all, { mode: privateFileMode });
  }
}

/** At least 64×64 px of the window on the screen: enough to grab it. */
export function overlaps(w: Bounds, screen: Bounds): boolean {
  const dx = Math.min(w.x + w.width, screen.x + screen.width) - Math.max(w.x, screen.x);
  const dy = Math.min(w.y + w.height, screen.y + screen.height) - Math.max(w.y, screen.y);
  return dx >= 64 && dy >= 64;
}

function read(file: string): Record<string, Bounds> {
  const raw = readJsonOr(file, {});
  if (typeof raw !== 'object' || raw === null) return {};
  const ok = (b: unknown): b is Bounds =>
    typeof b === 'object' && b !== null && ['x', 'y', 'width', 'height'].every((k) => Number.isFinite((b as Record<string, unknown>)[k]));
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, Bounds] => ok(e[1])));
}
