/**
 * LineDesk's Electron shell. The core (SIP, dispatcher, media) runs here in the main
 * process exactly as in the headless runner; the shell adds windows, the tray, OS
 * notifications, global shortcuts, sip:/tel: links and the settings store. Every window
 * is sandboxed and talks to the core only through the typed, validated IPC of
 * src-main/contract/ipc-contract.ts.
 */
import { Notification, app, dialog, ipcMain, protocol, safeStorage, session, shell, type IpcMainInvokeEvent } from 'electron';
import { existsSync } from 'node:fs';
import { writeJsonAtomic } from '../common/json-file.js';
import { createLogger, type Logger } from '../common/logger.js';
import { privateFileMode } from '../common/private-files.js';
import { ConfigError } from '../config/load-config.js';
import type { Command } from '../contract/commands.js';
import { ipcChannels } from '../contract/ipc-contract.js';
import { defaultModules } from '../core/default-modules.js';
import { LineDeskCore } from '../core/linedesk-core.js';
import { ConfigFileStore } from '../desk/config-file-store.js';
import { DeskHost } from '../desk/desk-host.js';
import { dialLinkFrom, dialSchemes, LinkQueue } from '../desk/dial-links.js';
import { JsonPrefsStore } from '../desk/prefs-store.js';
import { starterConfig } from '../desk/starter-config.js';
import { registerAppScheme, serveApp } from './app-protocol.js';
import { CallNotifications } from './call-notifications.js';
import { applyShortcuts } from './global-shortcuts.js';
import { hardenWebContents } from './harden-web-contents.js';
import { shellIpcHandlers, type IpcSender } from './ipc-guard.js';
import { rotatingFileSink } from './rotating-log.js';
import { SafeStorageVault } from './safe-storage-vault.js';
import { openScreenPop } from './screen-pop-opener.js';
import { secureSession } from './session-security.js';
import { protectUserData, shellPaths } from './shell-paths.js';
import { shellText } from './shell-strings.js';
import { LineDeskTray } from './tray.js';
import { WindowBoundsStore } from './window-bounds.js';
import { WindowManager } from './window-manager.js';
import { WindowRegistry } from './window-registry.js';

registerAppScheme(protocol);
// A portable install or a test run keeps its per-user files in a folder of its choosing.
if (process.env.LINEDESK_USER_DATA) app.setPath('userData', process.env.LINEDESK_USER_DATA);

if (!app.requestSingleInstanceLock()) {
  // Another LineDesk is running: it gets our argv (and any sip:/tel: link) through 'second-instance'.
  app.quit();
} else {
  void main().catch((error: unknown) => {
    dialog.showErrorBox('LineDesk', error instanceof Error ? (error.stack ?? error.message) : String(error));
    app.exit(1);
  });
}

async function main(): Promise<void> {
  const paths = shellPaths(app.getPath('userData'));
  protectUserData(paths);
  const log = createLogger('info', rotatingFileSink(paths.log));
  process.on('uncaughtException', (error) => log.error('uncaught exception', { error: error.stack ?? String(error) }));
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { reason: String(reason) }));

  // Links wait here until the desk exists and its lines are up (macOS can send open-url before whenReady);
  // then each waits in the dashboard for the agent's Dial or Cancel.
  const links = new LinkQueue();
  const firstLink = dialLinkFrom(process.argv);
  if (firstLink) links.push(firstLink);
  app.on('open-url', (event, url) => {
    event.preventDefault();
    links.push(url);
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, log.child('security')));
  app.on('window-all-closed', () => {
    /* LineDesk keeps running in the tray: calls must still ring. Quit from the tray menu. */
  });

  await app.whenReady();
  for (const scheme of dialSchemes) registerLinkHandler(scheme, log);
  secureSession(session.defaultSession, log.child('security'));
  serveApp(protocol, paths.renderer);

  const configFile = configPath(paths.config);
  const vault = new SafeStorageVault(paths.secrets, safeStorage);
  const prefs = new JsonPrefsStore(paths.prefs);
  let quitting = false;
  const host = new DeskHost({
    store: new ConfigFileStore(configFile, vault),
    prefs,
    createCore: (config, baseDir) => new LineDeskCore({ config, baseDir, log, modules: defaultModules() }),
    log: log.child('desk'),
    onQuit: () => app.quit(),
  });
  const registry = new WindowRegistry();
  const windows = new WindowManager({ registry, bounds: new WindowBoundsStore(paths.bounds), preload: paths.preload, icon: paths.appIcon, log: log.child('windows') });
  const execute = (cmd: Command): void => {
    void host.execute(cmd).then((r) => {
      if (!r.ok) log.warn('a command from the shell failed', { cmd: cmd.cmd, error: r.error });
    });
  };
  const locale = (): string => prefs.read().locale;
  const notifications = new CallNotifications({
    execute,
    bringToFront: (line) => windows.bringToFront(line),
    focusLine: (line) => windows.open({ kind: 'line', line }),
    locale,
    notify: (options) => (Notification.isSupported() ? new Notification(options) : undefined),
  });
  const tray = new LineDeskTray({
    iconDir: paths.trayIcons,
    openDashboard: () => windows.open({ kind: 'dashboard' }),
    openSettings: () => windows.open({ kind: 'settings' }),
    openTeam: () => windows.open({ kind: 'team' }),
    teamRole: () => (host.model.ready ? host.config.team?.role : undefined),
    execute,
    quit: () => app.quit(),
    locale,
    pauseReasons: () => host.pauseReasons(),
  });
  const shortcutDeps = { model: () => host.model, focusedLine: () => windows.focusedLine(), execute, log: log.child('shortcuts') };

  const handlers = shellIpcHandlers(registry, host);
  const sender = (e: IpcMainInvokeEvent): IpcSender => ({ contentsId: e.sender.id, frameUrl: e.senderFrame?.url ?? '' });
  ipcMain.handle(ipcChannels.hello, (e) => handlers.hello(sender(e)));
  ipcMain.handle(ipcChannels.command, (e, payload: unknown) => handlers.command(sender(e), payload));
  ipcMain.handle(ipcChannels.settingsGet, (e) => handlers.settingsGet(sender(e)));
  ipcMain.handle(ipcChannels.settingsSave, async (e, payload: unknown) => {
    const result = await handlers.settingsSave(sender(e), payload);
    if (result.ok) {
      applyShortcuts(prefs.read(), shortcutDeps);
      tray.rebuildMenu();
    }
    return result;
  });

  host.onEvent((e) => {
    windows.broadcast(e);
    tray.update(host.model);
    notifications.onEvent(e);
    windows.followRinging(host.model);
    if (e.event === 'screenpop') openScreenPop(e.url, (url) => shell.openExternal(url), log.child('screen-pop'));
    if (e.event === 'ready') {
      // The core (re)started, perhaps with saved settings: its pause reasons are the ones to offer.
      tray.rebuildMenu();
      windows.syncLines(e.lines);
      links.flush();
    }
  });

  links.attach({
    ready: () => host.model.ready,
    // Never dialled from here: the dashboard asks the agent first (desk/link-prompts.ts).
    offer: (link) => {
      const offered = host.offerLink(link, windows.focusedLine());
      if (offered.ok) windows.open({ kind: 'dashboard' });
      else log.warn('a link was not offered for dialling', { link, reason: offered.reason });
    },
  });
  app.on('second-instance', (_event, argv) => {
    windows.open({ kind: 'dashboard' });
    const link = dialLinkFrom(argv);
    if (link) links.push(link);
  });
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    void host.stop().finally(() => {
      windows.closeAll();
      tray.destroy();
      app.exit(0);
    });
  });

  windows.open({ kind: 'dashboard' });
  try {
    await host.start();
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
    log.error('startup failed', { error: message });
    dialog.showErrorBox(shellText(locale(), 'startFailed'), `${message}\n\n${configFile}`);
    windows.open({ kind: 'settings' });
    return;
  }
  applyShortcuts(prefs.read(), shortcutDeps);
}

/** --config FILE or LINEDESK_CONFIG, else the per-user file (created from the starter config on first run). */
function configPath(userConfig: string): string {
  const i = process.argv.indexOf('--config');
  const explicit = (i >= 0 ? process.argv[i + 1] : undefined) ?? process.env.LINEDESK_CONFIG;
  if (explicit) return explicit;
  if (!existsSync(userConfig)) writeJsonAtomic(userConfig, starterConfig(), { mode: privateFileMode });
  return userConfig;
}

/** Makes LineDesk the handler of sip:/sips:/tel: links (in development, via the Electron binary and this app's path). */
function registerLinkHandler(scheme: string, log: Logger): void {
  const ok = process.defaultApp && process.argv[1] ? app.setAsDefaultProtocolClient(scheme, process.execPath, [process.argv[1]]) : app.setAsDefaultProtocolClient(scheme);
  if (!ok) log.info('not the default handler of a link scheme', { scheme });
}
