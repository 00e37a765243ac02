/** Wall-clock time for timers and countdowns, ticking twice a second. */
export class Clock {
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval>;

  constructor() {
    this.#timer = setInterval(() => (this.now = Date.now()), 500);
  }

  dispose(): void {
    clearInterval(this.#timer);
  }
}

/** "m:ss", or "h:mm:ss" past an hour. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
