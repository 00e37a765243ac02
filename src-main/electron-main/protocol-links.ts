import type { Command } from '../contract/commands.js';
import { freeLines, type DeskModel } from '../contract/desk-model.js';

/** URL schemes LineDesk registers for click-to-dial. */
export const dialSchemes = ['sip', 'sips', 'tel'] as const;

/**
 * The first `sip:`, `sips:` or `tel:` link among command-line arguments (a second launch,
 * or the OS opening a link); Chromium switches and anything else are ignored.
 */
export function dialLinkFrom(argv: readonly string[]): string | undefined {
  return argv.find((a) => /^(sips?|tel):/i.test(a) && !a.startsWith('--'));
}

/**
 * The dial target of a link: `tel:+44 20 7946 0958` → `tel:+442079460958`; `sip:` and
 * `sips:` URIs lose URI parameters and headers after `?` (a link must not smuggle SIP
 * headers in). Undefined when nothing dialable is left.
 */
export function dialTargetOf(link: string): string | undefined {
  let text: string;
  try {
    text = decodeURIComponent(link.trim());
  } catch {
    return undefined;
  }
  const m = /^(sips?|tel):(?:\/\/)?(.*)$/i.exec(text);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!.split('?', 1)[0]!;
  if (scheme === 'tel') {
    const number = rest.split(';', 1)[0]!.replace(/[\s().-]/g, '');
    return /^\+?[0-9*#]{1,32}$/.test(number) ? `tel:${number}` : undefined;
  }
  const uri = rest.split(';', 1)[0]!;
  return /^[^\s<>"@]+(@[^\s<>"@]+)?$/.test(uri) && uri.length <= 200 ? `${scheme}:${uri}` : undefined;
}

/** A `dial` command from the first registered line with nothing ringing or up; undefined when every line is busy or down. */
export function dialCommandFor(link: string, model: DeskModel, preferredLine?: string): Command | undefined {
  const target = dialTargetOf(link);
  if (!target) return undefined;
  const free = freeLines(model);
  const line = free.find((l) => l.id === preferredLine) ?? free[0];
  return line ? { cmd: 'dial', line: line.id, target } : undefined;
}

/** Where queued links go: dialled once `ready()` says the lines are up. */
export interface LinkDialler {
  ready(): boolean;
  dial(link: string): void;
}

/**
 * Links waiting to be dialled. They can come before LineDesk can dial them: from the
 * command line, or (macOS) through `open-url` before the app is even ready. They wait here
 * until a dialler is attached and ready.
 */
export class LinkQueue {
  readonly #links: string[] = [];
  #dialler: LinkDialler | undefined;

  push(link: string): void {
    this.#links.push(link);
    this.flush();
  }

  attach(dialler: LinkDialler): void {
    this.#dialler = dialler;
    this.flush();
  }

  /** Dials what waits, if it can now (call it when the lines come up). */
  flush(): void {
    const d = this.#dialler;
    if (!d?.ready()) return;
    for (const link of this.#links.splice(0)) d.dial(link);
  }
}
