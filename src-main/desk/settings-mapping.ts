import { ConfigError, parseConfig } from '../config/load-config.js';
import { formatPath } from '../contract/commands.js';
import type { LineDeskConfig } from '../config/schema.js';
import type { CommandResult } from '../contract/commands.js';
import type { SettingsSave, SettingsView } from '../contract/ipc-contract.js';
import { passwordStays, type PasswordBinding } from '../contract/password-binding.js';
import { settingsSaveSchema, type DeskPrefs } from './settings-schema.js';

/**
 * Between the settings window and the LineDesk config file. The form edits a subset of
 * the config; everything else in the file (timers, TLS, media, per-line registrars…) is
 * kept as it was. Field paths are the same on both sides ("registrar.uri",
 * "lines[1].aor"), so an error from the config schema lands next to its field.
 */

type RawObject = Record<string, unknown>;

export function settingsViewOf(config: LineDeskConfig, prefs: DeskPrefs, hasPassword: (line: string) => boolean): SettingsView {
  return {
    registrar: { uri: config.registrar.uri, backups: [...config.registrar.backups] },
    transport: config.transport.map((t) => ({ protocol: t.protocol, bind: t.bind })),
    lines: config.lines.map((l) => ({
      id: l.id,
      aor: l.aor,
      username: l.username,
      ...(l.displayName !== undefined ? { displayName: l.displayName } : {}),
      ...(l.transport !== undefined ? { transport: l.transport } : {}),
      ...(l.autoAnswerMs !== undefined ? { autoAnswerMs: l.autoAnswerMs } : {}),
      ...(l.registrar !== undefined ? { ownRegistrar: true } : {}),
      hasPassword: hasPassword(l.id),
    })),
    dispatch: { strategy: config.dispatch.strategy, offerTimeoutMs: config.dispatch.offerTimeoutMs, queue: { ...config.dispatch.queue } },
    agent: { wrapupSeconds: config.agent.wrapupSeconds, pauseReasons: [...config.agent.pauseReasons] },
    shortcuts: { ...prefs.shortcuts },
    locale: prefs.locale,
  };
}

export type SettingsCheck = { ok: true; raw: RawObject; config: LineDeskConfig; prefs: DeskPrefs } | { ok: false; result: CommandResult };

/**
 * Validates an untrusted settings save and merges it into the raw config: first its shape,
 * then the resulting config with the config schema. `passwordOf` gives the stored password
 * of a line the user did not type a new one for; it is kept only while the line's username
 * and registrars stay what it was saved for (contract/password-binding.ts), else the line
 * is saved without one.
 */
export function checkSettingsSave(raw: RawObject, input: unknown, passwordOf: (line: string) => string | undefined): SettingsCheck {
  const shape = settingsSaveSchema.safeParse(input);
  if (!shape.success) {
    const issues = shape.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
    return { ok: false, result: { ok: false, error: 'the settings were not saved: some fields are invalid', issues } };
  }
  const save: SettingsSave = shape.data;
  const merged = mergeSave(raw, save, passwordOf);
  try {
    const config = parseConfig(merged);
    return { ok: true, raw: merged, config, prefs: { shortcuts: save.shortcuts, locale: shape.data.locale } };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { ok: false, result: { ok: false, error: 'the settings were not saved: some fields are invalid', issues: error.issues } };
  }
}

function mergeSave(raw: RawObject, save: SettingsSave, passwordOf: (line: string) => string | undefined): RawObject {
  const prevTransports = listOf(raw.transport);
  const prevLines = listOf(raw.lines);
  const prevDispatch = objectOf(raw.dispatch);
  return {
    ...raw,
    transport: save.transport.map((t) => ({ ...prevTransports.find((p) => p.protocol === t.protocol), protocol: t.protocol, bind: t.bind })),
    registrar: { ...objectOf(raw.registrar), uri: save.registrar.uri, backups: save.registrar.backups },
    lines: save.lines.map((l) => {
      const prev = prevLines.find((p) => p.id === l.id);
      const stays = prev !== undefined && passwordStays(bindingOf(prev, raw.registrar), bindingOf({ ...prev, username: l.username }, save.registrar));
      const out: RawObject = { ...prev, id: l.id, aor: l.aor, username: l.username, password: l.password ?? (stays ? passwordOf(l.id) : undefined) ?? '' };
      setOrDrop(out, 'displayName', l.displayName === '' ? undefined : l.displayName);
      setOrDrop(out, 'transport', l.transport);
      setOrDrop(out, 'autoAnswerMs', l.autoAnswerMs);
      return out;
    }),
    dispatch: {
      ...prevDispatch,
      strategy: save.dispatch.strategy,
      offerTimeoutMs: save.dispatch.offerTimeoutMs,
      queue: { ...objectOf(prevDispatch.queue), ...save.dispatch.queue },
    },
    agent: { ...objectOf(raw.agent), wrapupSeconds: save.agent.wrapupSeconds, pauseReasons: save.agent.pauseReasons },
  };
}

/** A raw line's username and registrars: its own registrar if it has one, else the global one. */
function bindingOf(line: RawObject, globalRegistrar: unknown): PasswordBinding {
  const registrar = objectOf(line.registrar ?? globalRegistrar);
  const backups: unknown[] = Array.isArray(registrar.backups) ? registrar.backups : [];
  const uris = [registrar.uri, ...backups];
  return { username: typeof line.username === 'string' ? line.username : '', registrars: uris.filter((u): u is string => typeof u === 'string') };
}

function setOrDrop(o: RawObject, key: string, value: unknown): void {
  if (value === undefined) delete o[key];
  else o[key] = value;
}

function objectOf(v: unknown): RawObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as RawObject) : {};
}

function listOf(v: unknown): RawObject[] {
  if (Array.isArray(v)) return v.map(objectOf);
  return v === undefined ? [] : [objectOf(v)];
}
