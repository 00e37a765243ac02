import type { DeskModel } from '../contract/desk-model.js';

/** The part of a BrowserWindow that ringing uses (tests hand in a fake). */
export interface RingWindow {
  isDestroyed(): boolean;
  isFocused(): boolean;
  showInactive(): void;
  moveTop(): void;
  flashFrame(flag: boolean): void;
}

/**
 * Draws the agent to a line window whose call rings, without taking the keyboard from
 * whatever they are typing in (a CRM, a ticket): the window comes to the top of the stack
 * inactive (`showInactive` also brings back a minimised window on Windows) and flashes in
 * the taskbar. Inside it, Accept already has the focus, so one click or Alt+Tab and Enter
 * answers. The flashing stops when the window gets focus, or when nothing rings on its line
 * any more (answered elsewhere, declined in a notification, timed out).
 */
export class RingAttention {
  readonly #flashing = new Map<string, RingWindow>();

  /** A call is offered to `line`, shown in `win`. */
  ring(line: string, win: RingWindow): void {
    if (win.isDestroyed() || win.isFocused()) return;
    win.showInactive();
    win.moveTop();
    win.flashFrame(true);
    this.#flashing.set(line, win);
  }

  /** The line's window got focus: the agent has seen it. */
  focused(line: string): void {
    this.#stop(line);
  }

  /** After every event: stops flashing the windows of lines where nothing rings now. */
  follow(model: DeskModel): void {
    for (const line of [...this.#flashing.keys()]) if (!model.lines.some((l) => l.id === line && l.offers.length > 0)) this.#stop(line);
  }

  #stop(line: string): void {
    const win = this.#flashing.get(line);
    this.#flashing.delete(line);
    if (win && !win.isDestroyed()) win.flashFrame(false);
  }
}
