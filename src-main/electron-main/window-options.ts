import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';
import type { WindowKind } from '../contract/ipc-contract.js';

/** Default size of each kind of window (a line window fits beside a CRM). */
export const defaultSizes: Record<WindowKind, { width: number; height: number; minWidth: number; minHeight: number }> = {
  line: { width: 420, height: 560, minWidth: 340, minHeight: 420 },
  dashboard: { width: 1100, height: 820, minWidth: 720, minHeight: 520 },
  settings: { width: 860, height: 900, minWidth: 560, minHeight: 480 },
  team: { width: 1200, height: 820, minWidth: 760, minHeight: 520 },
};

export interface WindowOptionsInput {
  kind: WindowKind;
  title: string;
  /** Absolute path of the bundled preload (dist/shell/preload.cjs). */
  preload: string;
  /** Where the window was last time, if it is still on a screen. */
  bounds?: Rectangle | undefined;
  icon?: string | undefined;
}

/**
 * The options of every window the shell opens. The security settings are the same for all
 * kinds and are spelled out rather than left to Electron's defaults, so a unit test can pin
 * them: an isolated, sandboxed renderer without Node, with web security on, no <webview>,
 * no remote content and no navigation by drag and drop.
 */
export function windowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  const size = defaultSizes[input.kind];
  return {
    title: input.title,
    width: input.bounds?.width ?? size.width,
    height: input.bounds?.height ?? size.height,
    ...(input.bounds ? { x: input.bounds.x, y: input.bounds.y } : {}),
    minWidth: size.minWidth,
    minHeight: size.minHeight,
    show: false,
    backgroundColor: '#f6f8fa',
    autoHideMenuBar: true,
    ...(input.icon ? { icon: input.icon } : {}),
    webPreferences: {
      preload: input.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      enableWebSQL: false,
      spellcheck: false,
      safeDialogs: true,
      // A line window behind the CRM keeps its timers (call timer, title flash while ringing) running.
      backgroundThrottling: false,
    },
  };
}
