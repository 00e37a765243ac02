import { httpUrlError } from '../config/integrations-schema.js';

export interface ScreenPopLog {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Opens a `screenpop` URL in the default browser (`shell.openExternal`, handed in so this
 * runs under plain Node in tests). The core made it from the config's template and checked
 * it; checked again here, because what reaches openExternal is run by the OS: only http(s).
 */
export function openScreenPop(url: string, openExternal: (url: string) => Promise<void>, log: ScreenPopLog): boolean {
  const error = httpUrlError(url);
  if (error) {
    log.warn('refused to open a screen pop', { url, error });
    return false;
  }
  openExternal(new URL(url).href).catch((e: unknown) => log.warn('could not open a screen pop', { url, error: e instanceof Error ? e.message : String(e) }));
  return true;
}
