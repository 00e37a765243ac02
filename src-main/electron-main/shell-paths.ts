import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePrivateDir, restrictFiles } from '../common/private-files.js';

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
    userData,
    config: join(userData, 'linedesk.config.json'),
    secrets: join(userData, 'secrets.json'),
    prefs: join(userData, 'settings.json'),
    bounds: join(userData, 'window-bounds.json'),
    log: join(userData, 'logs', 'linedesk.log'),
  };
}

export type ShellPaths = ReturnType<typeof shellPaths>;

/**
 * Before anything is read or written there: userData and its logs folder are 0700 (Electron's
 * own caches and storage live in userData too), and the files LineDesk keeps there are
 * 0600, also those an older LineDesk or a loose umask left readable by others. The call
 * records (stats/database-files.ts) and the log (rotating-log.ts) see to their own files.
 */
export function protectUserData(paths: Pick<ShellPaths, 'userData' | 'log' | 'config' | 'secrets' | 'prefs' | 'bounds'>): void {
  ensurePrivateDir(paths.userData);
  ensurePrivateDir(dirname(paths.log));
  restrictFiles([paths.config, paths.secrets, paths.prefs, paths.bounds]);
}
