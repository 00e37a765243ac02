import type { Command } from '../contract/commands.js';
import { freeLines, type DeskModel } from '../contract/desk-model.js';

/** URL schemes LineDesk handles for click-to-dial. */
export const dialSchemes = ['sip', 'sips', 'tel'] as const;

/**
 * The first `sip:`, `sips:` or `tel:` link among command-line arguments (a second launch,
 * the OS opening a link, browser mode's command line); Chromium switches and anything else
 * are ignored.
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

/** A `dial` command to `target` from the first registered line with nothing ringing or up (the preferred one if it is free); undefined when every line is busy or down. */
export function dialCommandFor(target: string, model: DeskModel, preferredLine?: string): Command | undefined {
  const free = freeLines(model);
  const line = free.find((l) => l.id === preferredLine) ?? free[0];
  return line ? { cmd: 'dial', line: line.id, target } : undefined;
}

/** Where queued links go once `ready()` says the desk can take them. */
export interface LinkSink {
  ready(): boolean;
  offer(link: string): void;
}

/**
 * Links waiting for the desk. They can come before it can show them: from the command
 * line, or (macOS) through `open-url` before the app is even ready. They wait here until a
 * sink is attached and ready, then go to it once each, in order.
 */
export class LinkQueue {
  readonly #links: string[] = [];
  #sink: LinkSink | undefined;

  push(link: string): void {
    this.#links.push(link);
    this.flush();
  }

  attach(sink: LinkSink): void {
    this.#sink = sink;
    this.flush();
  }

  /** Hands on what waits, if the sink can take it now (call it when the lines come up). */
  flush(): void {
    const s = this.#sink;
    if (!s?.ready()) return;
    for (const link of this.#links.splice(0)) s.offer(link);
  }
}
