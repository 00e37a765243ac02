import { z } from 'zod';
import { protocols } from '../config/schema.js';
import { uiLocales, type SettingsView, type UiLocale } from '../contract/ipc-contract.js';

export { shortcutActions, uiLocales, type ShortcutAction, type UiLocale } from '../contract/ipc-contract.js';

/**
 * The shape of a settings save coming from a window (untrusted): bounded strings and
 * lists, nothing else. Whether a URI or a timeout is *valid* is the config schema's job
 * (the saved settings become a LineDesk config and go through `parseConfig`), so a field
 * is judged by one rule only.
 */

export const defaultShortcuts: SettingsView['shortcuts'] = {
  answer: 'CommandOrControl+Shift+A',
  decline: 'CommandOrControl+Shift+D',
  hangup: 'CommandOrControl+Shift+H',
  mute: 'CommandOrControl+Shift+M',
};

const modifier = '(?:CommandOrControl|CmdOrCtrl|Command|Cmd|Control|Ctrl|Alt|Option|AltGr|Shift|Super|Meta)';
const key = '(?:[A-Z0-9]|F(?:[1-9]|1[0-9]|2[0-4])|Space|Tab|Enter|Backspace|Delete|Insert|Home|End|PageUp|PageDown|Up|Down|Left|Right|Escape|Plus|num[0-9]|MediaPlayPause|MediaStop|VolumeMute)';
/** An Electron accelerator ("CommandOrControl+Shift+A"), or "" for no shortcut. */
export const acceleratorPattern = new RegExp(`^(?:(?:${modifier}\\+)+${key}|F(?:[1-9]|1[0-9]|2[0-4])|)$`);
const accelerator = z.string().max(64).regex(acceleratorPattern, 'must be a shortcut such as "CommandOrControl+Shift+A" (a modifier, "+", a key), or empty');

const text = (max: number) => z.string().max(max);

export const settingsSaveSchema = z.strictObject({
  registrar: z.strictObject({ uri: text(256), backups: z.array(text(256)).max(8) }),
  transport: z.array(z.strictObject({ protocol: z.enum(protocols), bind: text(64) })).min(1).max(protocols.length),
  lines: z
    .array(
      z.strictObject({
        id: text(32),
        aor: text(256),
        username: text(128),
        displayName: text(64).optional(),
        transport: z.enum(protocols).optional(),
        autoAnswerMs: z.number().int().optional(),
        password: text(256).optional(),
      }),
    )
    .min(1)
    .max(64),
  dispatch: z.strictObject({
    strategy: text(32),
    offerTimeoutMs: z.number().int(),
    queue: z.strictObject({ maxLength: z.number().int(), maxWaitMs: z.number().int(), overflowUri: text(256).nullable() }),
  }),
  agent: z.strictObject({ wrapupSeconds: z.number().int(), pauseReasons: z.array(text(64)).max(32) }),
  shortcuts: z.strictObject({ answer: accelerator, decline: accelerator, hangup: accelerator, mute: accelerator }),
  locale: z.enum(uiLocales),
});

/** What the shell keeps beside the SIP config: shortcuts and the UI language. */
export interface DeskPrefs {
  shortcuts: SettingsView['shortcuts'];
  locale: UiLocale;
}

export const defaultPrefs: DeskPrefs = { shortcuts: defaultShortcuts, locale: 'en' };

const prefsSchema = z.object({
  shortcuts: z.object({ answer: accelerator, decline: accelerator, hangup: accelerator, mute: accelerator }).partial().optional(),
  locale: z.enum(uiLocales).optional(),
});

/** Reads stored prefs leniently: a bad or missing field falls back to its default. */
export function prefsFrom(raw: unknown): DeskPrefs {
  const r = prefsSchema.safeParse(raw);
  if (!r.success) return defaultPrefs;
  return { shortcuts: { ...defaultShortcuts, ...r.data.shortcuts }, locale: r.data.locale ?? defaultPrefs.locale };
}
