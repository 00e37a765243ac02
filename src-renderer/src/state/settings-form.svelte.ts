import type { CommandResult } from '../../../src-main/contract/commands.js';
import type { LineDeskApi, SettingsSave, SettingsView } from '../../../src-main/contract/ipc-contract.js';
import { passwordStays } from '../../../src-main/contract/password-binding.js';

export interface LineForm {
  id: string;
  aor: string;
  username: string;
  displayName: string;
  /** '' = the first transport. */
  transport: string;
  autoAnswerMs: number | null;
  /** '' = keep the saved one. */
  password: string;
  hasPassword: boolean;
  /** As last saved (absent for a line added in the form): what its stored password belongs to. */
  saved?: { id: string; username: string; ownRegistrar: boolean };
}

export interface SettingsForm {
  registrarUri: string;
  /** One URI per line. */
  backups: string;
  transports: { protocol: SettingsView['transport'][number]['protocol']; bind: string }[];
  lines: LineForm[];
  strategy: string;
  offerTimeoutMs: number | null;
  queueMaxLength: number | null;
  queueMaxWaitMs: number | null;
  overflowUri: string;
  wrapupSeconds: number | null;
  pauseReasons: string;
  shortcuts: SettingsView['shortcuts'];
  locale: string;
}

export type SaveStatus = 'idle' | 'saving' | 'saved' | 'savedLater' | 'invalid' | 'error';

/**
 * The settings window's form. The core's validation is the only rule book: a save sends
 * the whole form and shows each returned issue next to the field with the same path
 * ("registrar.uri", "lines[1].aor").
 */
export class SettingsFormState {
  form = $state<SettingsForm | undefined>(undefined);
  issues = $state<{ path: string; message: string }[]>([]);
  status = $state<SaveStatus>('idle');
  error = $state<string | undefined>(undefined);
  /** The registrars as last saved, for `passwordWillClear`. */
  #savedRegistrars: string[] = [];

  constructor(private readonly api: LineDeskApi) {}

  async load(): Promise<void> {
    try {
      const view = await this.api.getSettings();
      this.form = formOf(view);
      this.#savedRegistrars = [view.registrar.uri, ...view.registrar.backups];
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  /** Messages for a field and the fields under it ("registrar.backups" also shows "registrar.backups[1]"). */
  issueFor(path: string): string | undefined {
    const hits = this.issues.filter((i) => i.path === path || i.path.startsWith(`${path}[`) || i.path.startsWith(`${path}.`));
    return hits.length > 0 ? hits.map((i) => i.message).join('; ') : undefined;
  }

  /**
   * Saving the form as it is would delete this line's stored password: its id, username or
   * registrar changed and no new password is typed (the host applies the same rule).
   */
  passwordWillClear(line: LineForm): boolean {
    if (!line.hasPassword || line.password !== '' || !this.form) return false;
    const saved = line.saved;
    if (!saved || saved.id !== line.id.trim()) return true;
    // A line with its own registrar keeps it (the form does not edit it): only its username counts.
    const [before, after] = saved.ownRegistrar ? [[], []] : [this.#savedRegistrars, registrarsOf(this.form)];
    return !passwordStays({ username: saved.username, registrars: before }, { username: line.username.trim(), registrars: after });
  }

  addLine(): void {
    if (!this.form) return;
    const n = this.form.lines.length + 1;
    this.form.lines.push({ id: `line${n}`, aor: '', username: '', displayName: '', transport: '', autoAnswerMs: null, password: '', hasPassword: false });
  }

  removeLine(index: number): void {
    this.form?.lines.splice(index, 1);
  }

  async save(): Promise<CommandResult | undefined> {
    if (!this.form) return undefined;
    this.status = 'saving';
    let result: CommandResult;
    try {
      result = await this.api.saveSettings(saveOf(this.form));
    } catch (error) {
      this.status = 'error';
      this.error = error instanceof Error ? error.message : String(error);
      return undefined;
    }
    if (result.ok) {
      this.issues = [];
      const applied = (result.value as { applied?: string } | undefined)?.applied;
      this.status = applied === 'after-calls' ? 'savedLater' : 'saved';
      const form = this.form;
      for (const l of form.lines) {
        l.hasPassword = l.password !== '' || (l.hasPassword && !this.passwordWillClear(l));
        l.password = '';
      }
      for (const l of form.lines) l.saved = { id: l.id.trim(), username: l.username.trim(), ownRegistrar: l.saved?.ownRegistrar ?? false };
      this.#savedRegistrars = registrarsOf(form);
    } else {
      this.issues = result.issues ?? [];
      this.error = result.error;
      this.status = this.issues.length > 0 ? 'invalid' : 'error';
    }
    return result;
  }
}

function formOf(v: SettingsView): SettingsForm {
  return {
    registrarUri: v.registrar.uri,
    backups: v.registrar.backups.join('\n'),
    transports: v.transport.map((t) => ({ ...t })),
    lines: v.lines.map((l) => ({
      id: l.id,
      aor: l.aor,
      username: l.username,
      displayName: l.displayName ?? '',
      transport: l.transport ?? '',
      autoAnswerMs: l.autoAnswerMs ?? null,
      password: '',
      hasPassword: l.hasPassword,
      saved: { id: l.id, username: l.username, ownRegistrar: l.ownRegistrar === true },
    })),
    strategy: v.dispatch.strategy,
    offerTimeoutMs: v.dispatch.offerTimeoutMs,
    queueMaxLength: v.dispatch.queue.maxLength,
    queueMaxWaitMs: v.dispatch.queue.maxWaitMs,
    overflowUri: v.dispatch.queue.overflowUri ?? '',
    wrapupSeconds: v.agent.wrapupSeconds,
    pauseReasons: v.agent.pauseReasons.join('\n'),
    shortcuts: { ...v.shortcuts },
    locale: v.locale,
  };
}

const listOf = (text: string): string[] =>
  text
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '');

const registrarsOf = (f: SettingsForm): string[] => [f.registrarUri.trim(), ...listOf(f.backups)];

/** NaN for an empty number field, so the core names the field instead of a silent default. */
const num = (n: number | null): number => (n === null ? Number.NaN : n);

function saveOf(f: SettingsForm): SettingsSave {
  return {
    registrar: { uri: f.registrarUri.trim(), backups: listOf(f.backups) },
    transport: f.transports.map((t) => ({ protocol: t.protocol, bind: t.bind.trim() })),
    lines: f.lines.map((l) => ({
      id: l.id.trim(),
      aor: l.aor.trim(),
      username: l.username.trim(),
      ...(l.displayName.trim() ? { displayName: l.displayName.trim() } : {}),
      ...(l.transport ? { transport: l.transport } : {}),
      ...(l.autoAnswerMs !== null ? { autoAnswerMs: l.autoAnswerMs } : {}),
      ...(l.password ? { password: l.password } : {}),
    })),
    dispatch: {
      strategy: f.strategy,
      offerTimeoutMs: num(f.offerTimeoutMs),
      queue: { maxLength: num(f.queueMaxLength), maxWaitMs: num(f.queueMaxWaitMs), overflowUri: f.overflowUri.trim() || null },
    },
    agent: { wrapupSeconds: num(f.wrapupSeconds), pauseReasons: listOf(f.pauseReasons) },
    shortcuts: { ...f.shortcuts },
    locale: f.locale,
  };
}
