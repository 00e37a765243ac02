import type { Logger } from '../common/logger.js';
import { parseConfig } from '../config/load-config.js';
import type { LineDeskConfig } from '../config/schema.js';
import type { Command, CommandResult } from '../contract/commands.js';
import type { ControlEvent, Stamped } from '../contract/control-events.js';
import type { SettingsView, WindowHello, WindowKind } from '../contract/ipc-contract.js';
import type { ConfigFileStore } from './config-file-store.js';
import { applyEvent, emptyDeskModel, snapshotOf, type DeskModel } from '../contract/desk-model.js';
import { LinkPrompts, type LinkOffer } from './link-prompts.js';
import { checkSettingsSave, settingsViewOf } from './settings-mapping.js';
import type { DeskPrefs } from './settings-schema.js';
import { starterConfig } from './starter-config.js';

/** The part of LineDeskCore the desktop host drives (so tests can hand it a fake). */
export interface DeskCore {
  readonly events: { on(event: 'event', listener: (e: ControlEvent) => void): () => void };
  start(): Promise<void>;
  stop(): Promise<void>;
  execute(cmd: Command): Promise<CommandResult>;
}

export type DeskCoreFactory = (config: LineDeskConfig, baseDir: string) => DeskCore;

export interface PrefsStore {
  read(): DeskPrefs;
  write(prefs: DeskPrefs): void;
}

export interface DeskHostOptions {
  store: ConfigFileStore;
  prefs: PrefsStore;
  createCore: DeskCoreFactory;
  log: Logger;
  now?: () => number;
  /** A window sent `quit`. */
  onQuit?: () => void;
}

/**
 * What the Electron shell and browser mode have in common: one LineDesk core, the model
 * every window shows (for catch-up snapshots), events fanned out to every window, commands
 * in, and settings read and saved. Transports (IPC, WebSocket) validate their payloads and
 * then call in here.
 */
export class DeskHost {
  #model: DeskModel = emptyDeskModel;
  #core: DeskCore | undefined;
  #config: LineDeskConfig | undefined;
  #pending: LineDeskConfig | undefined;
  #swap: Promise<void> | undefined;
  readonly #listeners = new Set<(e: Stamped<ControlEvent>) => void>();
  readonly #now: () => number;
  readonly #links = new LinkPrompts({
    publish: (e) => this.#publish({ ...e, ts: this.#now() }),
    model: () => this.#model,
    dial: (cmd) => this.execute(cmd),
  });

  constructor(private readonly opts: DeskHostOptions) {
    this.#now = opts.now ?? Date.now;
  }

  get model(): DeskModel {
    return this.#model;
  }

  get config(): LineDeskConfig {
    if (!this.#config) throw new Error('LineDesk has not started');
    return this.#config;
  }

  get prefs(): DeskPrefs {
    return this.opts.prefs.read();
  }

  lineIds(): string[] {
    return this.#config?.lines.map((l) => l.id) ?? [];
  }

  /**
   * The pause reasons of the running core (none before the first start). A save that waits
   * for the calls to end changes them at the restart, which every window and the tray learn
   * from its `ready` event.
   */
  pauseReasons(): string[] {
    return this.#config?.agent.pauseReasons ?? [];
  }

  async start(): Promise<void> {
    const { config } = this.opts.store.load();
    await this.#startCore(config);
  }

  async stop(): Promise<void> {
    await this.#swap;
    const core = this.#core;
    this.#core = undefined;
    await core?.stop();
  }

  /** Every event from now on, stamped; returns the unsubscribe function. */
  onEvent(listener: (e: Stamped<ControlEvent>) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  hello(kind: WindowKind, line?: string): WindowHello {
    const teamRole = this.#config?.team?.role;
    return { kind, ...(line !== undefined ? { line } : {}), locale: this.prefs.locale, snapshot: snapshotOf(this.#model, this.#now()), pauseReasons: this.pauseReasons(), ...(teamRole ? { teamRole } : {}) };
  }

  /**
   * A sip:/tel: link (the shell's argv or open-url, browser mode's command line): it waits
   * as a prompt in the windows and dials only after the agent's Dial (link-prompts.ts).
   */
  offerLink(link: string, preferredLine?: string): LinkOffer {
    return this.#links.offer(link, preferredLine);
  }

  /** Carries out a command that the caller has already validated with `parseCommand`. */
  async execute(cmd: Command): Promise<CommandResult> {
    if (cmd.cmd === 'quit') {
      this.opts.onQuit?.();
      return { ok: true };
    }
    if (cmd.cmd === 'link.dial') return this.#links.dial(cmd.prompt);
    if (cmd.cmd === 'link.cancel') return this.#links.cancel(cmd.prompt);
    if (!this.#core) return { ok: false, error: 'LineDesk is starting or restarting; try again in a moment' };
    return this.#core.execute(cmd);
  }

  /**
   * The settings form's content: what the file holds (a save waiting for the calls to end is
   * already there), else the running config, else the starter config, so the user can
   * repair an unusable file.
   */
  settings(): SettingsView {
    const store = this.opts.store;
    const config = this.#usable(() => store.load().config) ?? this.#config ?? parseConfig(starterConfig());
    return settingsViewOf(config, this.prefs, (line) => this.#usable(() => store.passwordOf(line)) !== undefined);
  }

  /**
   * Validates and saves settings from a window, then restarts the core with them: at once
   * when no call is up, otherwise as soon as the last call ends.
   */
  async saveSettings(input: unknown): Promise<CommandResult> {
    const store = this.opts.store;
    const raw = this.#usable(() => store.readRaw()) ?? starterConfig();
    const check = checkSettingsSave(raw, input, (line) => this.#usable(() => store.passwordOf(line)));
    if (!check.ok) return check.result;
    try {
      store.save(check.raw);
    } catch (error) {
      return { ok: false, error: `the settings could not be saved: ${error instanceof Error ? error.message : String(error)}` };
    }
    this.opts.prefs.write(check.prefs);
    if (hasCalls(this.#model)) {
      this.#pending = check.config;
      return { ok: true, value: { applied: 'after-calls' } };
    }
    await this.#restart(check.config);
    return { ok: true, value: { applied: 'now' } };
  }

  #usable<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch {
      return undefined;
    }
  }

  async #startCore(config: LineDeskConfig): Promise<void> {
    const core = this.opts.createCore(config, this.opts.store.baseDir);
    this.#config = config;
    this.#core = core;
    core.events.on('event', (e) => {
      // A core being replaced says "stopped"; the windows carry on with the next one.
      if (e.event === 'stopped' && core !== this.#core) return;
      this.#publish({ ...e, ts: this.#now() });
    });
    await core.start();
  }

  #publish(e: Stamped<ControlEvent>): void {
    this.#model = applyEvent(this.#model, e);
    for (const l of [...this.#listeners]) {
      try {
        l(e);
      } catch (error) {
        this.opts.log.warn('an event listener failed', { error });
      }
    }
    if (this.#pending && !hasCalls(this.#model) && !this.#swap) {
      const config = this.#pending;
      void this.#restart(config);
    }
  }

  async #restart(config: LineDeskConfig): Promise<void> {
    this.#pending = undefined;
    await this.#swap;
    const swap = this.#replaceCore(config).finally(() => {
      this.#swap = undefined;
    });
    this.#swap = swap;
    await swap;
  }

  async #replaceCore(config: LineDeskConfig): Promise<void> {
    const old = this.#core;
    this.#core = undefined;
    this.opts.log.info('restarting the core with new settings');
    await old?.stop().catch((error: unknown) => this.opts.log.warn('the old core did not stop cleanly', { error }));
    try {
      await this.#startCore(config);
    } catch (error) {
      const message = `LineDesk could not start with the new settings: ${error instanceof Error ? error.message : String(error)}`;
      this.opts.log.error(message);
      this.#publish({ event: 'error', message, ts: this.#now() });
    }
  }
}

function hasCalls(m: DeskModel): boolean {
  return m.lines.some((l) => l.offers.length > 0 || l.calls.length > 0);
}
