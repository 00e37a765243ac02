import { createRequire } from 'node:module';

/** The result of requiring audify: its exports, or why it could not be loaded. */
export type AudifyRequire = { ok: true; exports: unknown } | { ok: false; reason: string };

let required: AudifyRequire | undefined;

/**
 * Requires audify (an optional dependency with a native addon: it may be missing, or fail to
 * load on a machine without libasound/libpulse) once for the whole process. The sound card and
 * the Opus codec check the part of its API they use on top of this. Never throws.
 */
export function requireAudify(): AudifyRequire {
  if (required) return required;
  try {
    required = { ok: true, exports: createRequire(import.meta.url)('audify') };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    required = { ok: false, reason: `audify could not be loaded: ${message}` };
  }
  return required;
}
