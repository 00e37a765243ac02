import type { Command, CommandResult } from '../contract/commands.js';
import type { ControlEvent } from '../contract/control-events.js';
import type { DeskModel } from '../contract/desk-model.js';
import { dialCommandFor, dialTargetOf } from './dial-links.js';

export interface LinkPromptDeps {
  /** `link.prompt` and `link.prompt.ended`, to every window (they fold them into their model). */
  publish(e: ControlEvent): void;
  model(): DeskModel;
  /** Hands a `dial` command to the core. */
  dial(cmd: Command): Promise<CommandResult>;
}

export type LinkOffer = { ok: true; prompt: string; target: string } | { ok: false; reason: string };

const notWaiting: CommandResult = { ok: false, error: 'this link is no longer waiting to be dialled' };

/**
 * sip:/tel: links ask before they dial. A link can come from any web page, e-mail or
 * document (a page can even fire one by itself), so it never dials on its own: it becomes
 * a prompt that every window folds into its model and the dashboard shows with the number,
 * Dial and Cancel. Only the agent's `link.dial` for that very prompt dials, once. One prompt
 * at a time: a new link replaces the one waiting, so a page firing links leaves one
 * question, not a pile of them.
 */
export class LinkPrompts {
  #waiting: { prompt: string; target: string; preferredLine: string | undefined } | undefined;
  #seq = 0;

  constructor(private readonly deps: LinkPromptDeps) {}

  /** A link to confirm; `preferredLine` (the focused line window) dials it if it is free then. */
  offer(link: string, preferredLine?: string): LinkOffer {
    const target = dialTargetOf(link);
    if (!target) return { ok: false, reason: 'not a dialable sip:, sips: or tel: address' };
    const prompt = `link-${++this.#seq}`;
    this.#waiting = { prompt, target, preferredLine };
    this.deps.publish({ event: 'link.prompt', prompt, target });
    return { ok: true, prompt, target };
  }

  cancel(prompt: string): CommandResult {
    if (this.#waiting?.prompt !== prompt) return notWaiting;
    this.#waiting = undefined;
    this.deps.publish({ event: 'link.prompt.ended', prompt, outcome: 'cancelled' });
    return { ok: true };
  }

  /**
   * Dial pressed: dials the prompt's target from a free registered line. With no free line
   * the prompt stays, so the agent can try again when one is free, or cancel.
   */
  async dial(prompt: string): Promise<CommandResult> {
    const waiting = this.#waiting;
    if (waiting?.prompt !== prompt) return notWaiting;
    const cmd = dialCommandFor(waiting.target, this.deps.model(), waiting.preferredLine);
    if (!cmd) return { ok: false, error: 'no line is free to dial from: every line is busy or not registered' };
    // Taken before the dial goes out, so a second Dial (a double click, another window) cannot call twice.
    this.#waiting = undefined;
    const result = await this.deps.dial(cmd);
    if (!result.ok) {
      this.#waiting ??= waiting;
      return result;
    }
    this.deps.publish({ event: 'link.prompt.ended', prompt, outcome: 'dialled' });
    return { ok: true, value: { line: cmd.cmd === 'dial' ? cmd.line : undefined } };
  }
}
