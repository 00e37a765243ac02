import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the shell finds its files. The bundle runs from dist/shell/main.js, in a checkout
 * or inside app.asar; everything else is found relative to it:
 *   dist/shell/preload.cjs   the one preload (CommonJS, required by sandboxed renderers)
 *   dist/renderer/           the Vite build, served as linedesk://app/
 *   assets/tray/, assets/icon/
 * and, per user (app.getPath('userData')): linedesk.config.json, secrets.json (safeStorage),
 * settings.json (shortcuts, language), window-bounds.json, logs/linedesk.log.
 */
export function shellPaths(userData: string, bundleUrl: string = import.meta.url) {
  const shellDir = dirname(fileURLToPath(bundleUrl));
  const root = join(shellDir, '..', '..');
  return {
    preload: join(shellDir, 'preload.cjs'),
    renderer: join(root, 'dist', 'renderer'),
    trayIcons: join(root, 'assets', 'tray'),
    appIcon: join(root, 'assets', 'icon', 'icon.png'),
    config: join(userData, 'linedesk.config.json'),
    secrets: join(userData, 'secrets.json'),
    prefs: join(userData, 'settings.json'),
    bounds: join(userData, 'window-bounds.json'),
    log: join(userData, 'logs', 'linedesk.log'),
  };
}

export type ShellPaths = ReturnType<typeof shellPaths>;
