import { httpUrlError, screenPopPlaceholders } from '../config/integrations-schema.js';

export type ScreenPopValues = Record<(typeof screenPopPlaceholders)[number], string>;

/**
 * Fills a screen-pop template: each placeholder becomes its value URL-encoded (a caller's
 * number or name is from the network: "&", "#", "/" or "javascript:" in it can change no
 * more than its own parameter). The result must still be an http(s) URL; anything else is
 * refused, never opened.
 */
export function screenPopUrl(template: string, values: ScreenPopValues): { ok: true; url: string } | { ok: false; reason: string } {
  const url = template.replace(/\{([a-z]+)\}/g, (whole, name: string) =>
    (screenPopPlaceholders as readonly string[]).includes(name) ? encodeURIComponent(values[name as keyof ScreenPopValues]) : whole,
  );
  const error = httpUrlError(url);
  return error ? { ok: false, reason: `the screen-pop URL ${error}` } : { ok: true, url: new URL(url).href };
}
