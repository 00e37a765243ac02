/**
 * The window's part in making a ringing line hard to miss: the title flashes (and with it
 * the taskbar entry) until the call is answered, declined or moves on. The page itself
 * turns amber and pulses (app.css). The audible ring is the core's: it plays on the
 * agent's chosen ringer device (src-main/media/audio/ringer.ts), which may differ from
 * the headset, so the window plays no sound of its own and never rings twice.
 */
export class Attention {
  #titleTimer: ReturnType<typeof setInterval> | undefined;
  #title = '';

  start(flashTitle: string): void {
    if (this.#titleTimer) return;
    this.#title = document.title;
    let on = true;
    document.title = flashTitle;
    this.#titleTimer = setInterval(() => {
      on = !on;
      document.title = on ? flashTitle : this.#title;
    }, 700);
  }

  stop(): void {
    if (!this.#titleTimer) return;
    clearInterval(this.#titleTimer);
    this.#titleTimer = undefined;
    document.title = this.#title;
  }
}
