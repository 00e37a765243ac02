import { BrowserWindow, screen, webContents } from 'electron';
import type { Logger } from '../common/logger.js';
import { ipcChannels } from '../contract/ipc-contract.js';
import type { ControlEvent, Stamped } from '../contract/control-events.js';
import type { DeskModel } from '../contract/desk-model.js';
import { windowUrl } from './app-protocol.js';
import { RingAttention } from './ring-attention.js';
import { windowOptions } from './window-options.js';
import type { WindowBoundsStore } from './window-bounds.js';
import type { WindowIdentity, WindowRegistry } from './window-registry.js';

export interface WindowManagerDeps {
  registry: WindowRegistry;
  bounds: WindowBoundsStore;
  preload: string;
  icon?: string | undefined;
  log: Logger;
}

const keyOf = (w: WindowIdentity): string => (w.kind === 'line' ? `line:${w.line}` : w.kind);

/**
 * The shell's windows: one per line, the dashboard and settings. Creates them with the
 * shared secure options, remembers where each was, registers each for IPC, and forwards
 * events to the windows that said hello.
 */
export class WindowManager {
  readonly #windows = new Map<string, BrowserWindow>();
  readonly #ringing = new RingAttention();

  constructor(private readonly deps: WindowManagerDeps) {}

  open(identity: WindowIdentity, opts: { focus?: boolean } = {}): BrowserWindow {
    const key = keyOf(identity);
    const existing = this.#windows.get(key);
    if (existing && !existing.isDestroyed()) {
      if (opts.focus !== false) this.#raise(existing);
      return existing;
    }
    const screens = screen.getAllDisplays().map((d) => d.workArea);
    const title = identity.kind === 'line' ? `Line ${identity.line} — LineDesk` : `${identity.kind === 'dashboard' ? 'Dashboard' : identity.kind === 'team' ? 'Team' : 'Settings'} — LineDesk`;
    const win = new BrowserWindow(windowOptions({ kind: identity.kind, title, preload: this.deps.preload, bounds: this.deps.bounds.get(key, screens), icon: this.deps.icon }));
    const contentsId = win.webContents.id;
    this.deps.registry.add(contentsId, identity);
    this.#windows.set(key, win);
    const remember = (): void => {
      if (!win.isDestroyed() && !win.isMinimized()) this.deps.bounds.set(key, win.getBounds());
    };
    win.on('moved', remember);
    win.on('resized', remember);
    const line = identity.line;
    if (identity.kind === 'line' && line !== undefined) win.on('focus', () => this.#ringing.focused(line));
    win.once('ready-to-show', () => (opts.focus === false ? win.showInactive() : win.show()));
    win.on('closed', () => {
      this.deps.registry.remove(contentsId);
      if (this.#windows.get(key) === win) this.#windows.delete(key);
    });
    const query: Record<string, string> = { window: identity.kind, ...(identity.line ? { line: identity.line } : {}) };
    void win.loadURL(windowUrl(query)).catch((error: unknown) => this.deps.log.error('a window failed to load', { key, error }));
    return win;
  }

  /** Opens a window for each configured line and closes those of lines that are gone. */
  syncLines(lines: readonly string[]): void {
    for (const [key, win] of this.#windows) if (key.startsWith('line:') && !lines.includes(key.slice(5))) win.close();
    for (const line of lines) this.open({ kind: 'line', line }, { focus: false });
  }

  /**
   * A call rings on this line: its window comes to the top and flashes in the taskbar, but
   * does not take the keyboard from the app the agent is typing in (see RingAttention).
   */
  bringToFront(line: string): void {
    this.#ringing.ring(line, this.open({ kind: 'line', line }, { focus: false }));
  }

  /** After every event: a window whose line no longer rings stops flashing. */
  followRinging(model: DeskModel): void {
    this.#ringing.follow(model);
  }

  focusedLine(): string | undefined {
    const focused = BrowserWindow.getFocusedWindow();
    return focused ? this.deps.registry.identify(focused.webContents.id)?.line : undefined;
  }

  broadcast(event: Stamped<ControlEvent>): void {
    for (const id of this.deps.registry.listeners()) {
      const contents = webContents.fromId(id);
      if (contents && !contents.isDestroyed()) contents.send(ipcChannels.event, event);
    }
  }

  closeAll(): void {
    this.deps.bounds.flush();
    for (const win of this.#windows.values()) if (!win.isDestroyed()) win.destroy();
  }

  #raise(win: BrowserWindow): void {
    if (win.isMinimized()) win.restore();
    win.show();
    win.moveTop();
    win.focus();
  }
}
