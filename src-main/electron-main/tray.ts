import { Menu, Tray, nativeImage, type NativeImage } from 'electron';
import { join } from 'node:path';
import type { Command } from '../contract/commands.js';
import type { DeskModel } from '../contract/desk-model.js';
import { shellText } from './shell-strings.js';
import { trayIconFile, trayStateOf, trayTooltip, type TrayState } from './tray-state.js';

export interface TrayDeps {
  iconDir: string;
  openDashboard(): void;
  openSettings(): void;
  openTeam(): void;
  /** The desk's team role (team.role): supervisors get the team window in the menu. */
  teamRole(): 'agent' | 'supervisor' | undefined;
  execute(cmd: Command): void;
  quit(): void;
  locale(): string;
  pauseReasons(): string[];
}

/** The tray icon: its colour is the agent's state (blue while a call rings); its menu sets the state. */
export class LineDeskTray {
  readonly #tray: Tray;
  #state: TrayState | undefined;

  constructor(private readonly deps: TrayDeps) {
    this.#tray = new Tray(this.#image('unknown'));
    this.#tray.on('click', () => deps.openDashboard());
    this.rebuildMenu();
  }

  update(model: DeskModel): void {
    const state = trayStateOf(model);
    if (state !== this.#state) {
      this.#state = state;
      this.#tray.setImage(this.#image(state));
    }
    this.#tray.setToolTip(trayTooltip(model));
  }

  rebuildMenu(): void {
    const t = (k: Parameters<typeof shellText>[1]): string => shellText(this.deps.locale(), k);
    const d = this.deps;
    this.#tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: t('dashboard'), click: () => d.openDashboard() },
        ...(d.teamRole() === 'supervisor' ? [{ label: t('team'), click: () => d.openTeam() }] : []),
        { label: t('settings'), click: () => d.openSettings() },
        { type: 'separator' },
        { label: t('available'), click: () => d.execute({ cmd: 'agent.state', state: 'available' }) },
        { label: t('pause'), submenu: d.pauseReasons().map((reason) => ({ label: reason, click: () => d.execute({ cmd: 'agent.state', state: 'paused', reason }) })) },
        { label: t('offline'), click: () => d.execute({ cmd: 'agent.state', state: 'offline' }) },
        { type: 'separator' },
        { label: t('quit'), click: () => d.quit() },
      ]),
    );
  }

  destroy(): void {
    this.#tray.destroy();
  }

  #image(state: TrayState): NativeImage {
    return nativeImage.createFromPath(join(this.deps.iconDir, trayIconFile(state)));
  }
}
