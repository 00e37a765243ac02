import type { Command, CommandResult } from './commands.js';
import type { ControlEvent, Stamped } from './control-events.js';

/**
 * The one IPC contract between LineDesk's main process and its windows, used by the
 * preload (which exposes `window.linedesk`), the main-side handlers, the renderer, and
 * the browser-mode WebSocket bridge. Every payload that crosses it is validated on the
 * receiving side (commands with `parseCommand`).
 */
export const ipcChannels = {
  /** renderer → main, invoke: one Command, answered with a CommandResult. */
  command: 'linedesk:command',
  /** main → renderer: every ControlEvent, stamped. */
  event: 'linedesk:event',
  /** renderer → main, invoke: which window am I, and the current snapshot. */
  hello: 'linedesk:hello',
  /** renderer → main, invoke: read or save settings (settings window only). */
  settingsGet: 'linedesk:settings.get',
  settingsSave: 'linedesk:settings.save',
} as const;

/*
 * Plain constants that both the main side and the windows need. They live here, with no
 * zod and nothing else at run time, so that the renderer can import them without pulling
 * a validation library into its bundle.
 */

export const windowKinds = ['line', 'dashboard', 'settings', 'team'] as const;
export type WindowKind = (typeof windowKinds)[number];

/**
 * Browser mode's WebSocket (ws-protocol.ts): its path, and the two subprotocols a client
 * offers: `linedesk.v1` and `token.<token>`.
 */
export const wsPath = '/ws';
export const wsSubprotocol = 'linedesk.v1';
export const tokenSubprotocolPrefix = 'token.';

/** The UI languages. */
export const uiLocales = ['en', 'zh-CN'] as const;
export type UiLocale = (typeof uiLocales)[number];

/** What a global shortcut can do, in the order the settings window lists them. */
export const shortcutActions = ['answer', 'decline', 'hangup', 'mute'] as const;
export type ShortcutAction = (typeof shortcutActions)[number];

export interface WindowHello {
  kind: WindowKind;
  /** The line this window shows (line windows only). */
  line?: string;
  /** UI language chosen in settings, e.g. "en" or "zh-CN". */
  locale: string;
  /** The events so far that a new window needs to catch up (last state of each line, queue, agent). */
  snapshot: Stamped<ControlEvent>[];
  /** The configured pause reasons, for the agent's pause menu. */
  pauseReasons: string[];
  /** The desk's role in the team database (`team.role`), when one is configured: supervisors get the team window. */
  teamRole?: 'agent' | 'supervisor';
}

/** Settings as the settings window edits them (passwords never travel back to a window). */
export interface SettingsView {
  registrar: { uri: string; backups: string[] };
  transport: { protocol: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss'; bind: string }[];
  lines: {
    id: string;
    aor: string;
    username: string;
    displayName?: string;
    transport?: string;
    autoAnswerMs?: number;
    /** The line has its own registrar in the config file (the form does not edit it). */
    ownRegistrar?: boolean;
    hasPassword: boolean;
  }[];
  dispatch: { strategy: string; offerTimeoutMs: number; queue: { maxLength: number; maxWaitMs: number; overflowUri: string | null } };
  agent: { wrapupSeconds: number; pauseReasons: string[] };
  shortcuts: Record<ShortcutAction, string>;
  locale: string;
}

/**
 * A settings save: like the view, with new passwords where the user typed one. A line whose
 * username or registrar changes without a new password loses its stored one
 * (password-binding.ts).
 */
export interface SettingsSave extends Omit<SettingsView, 'lines'> {
  lines: (Omit<SettingsView['lines'][number], 'hasPassword' | 'ownRegistrar'> & { password?: string })[];
}

/** What the preload exposes as `window.linedesk`; browser mode provides the same over a WebSocket. */
export interface LineDeskApi {
  hello(): Promise<WindowHello>;
  command(cmd: Command): Promise<CommandResult>;
  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: (e: Stamped<ControlEvent>) => void): () => void;
  getSettings(): Promise<SettingsView>;
  saveSettings(s: SettingsSave): Promise<CommandResult>;
}
