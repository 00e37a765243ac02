import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Emitter } from '../../../src-main/common/emitter.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import type { LineDeskConfig } from '../../../src-main/config/schema.js';
import type { Command, CommandResult } from '../../../src-main/contract/commands.js';
import type { ControlEvent } from '../../../src-main/contract/control-events.js';
import type { SettingsSave, SettingsView } from '../../../src-main/contract/ipc-contract.js';
import { ConfigFileStore, type SecretVault } from '../../../src-main/desk/config-file-store.js';
import { DeskHost, type DeskCore } from '../../../src-main/desk/desk-host.js';
import { MemoryPrefsStore } from '../../../src-main/desk/prefs-store.js';

/** A core that registers its lines at start and records the commands it is given. */
export class FakeCore implements DeskCore {
  readonly events = new Emitter<{ event: [e: ControlEvent] }>();
  readonly executed: Command[] = [];
  stopped = false;

  constructor(readonly config: LineDeskConfig) {}

  start(): Promise<void> {
    const lines = this.config.lines.map((l) => l.id);
    this.emit({ event: 'ready', lines, transports: [{ protocol: 'udp', local: '127.0.0.1:5060' }] });
    for (const line of lines) this.emit({ event: 'line.state', line, state: 'registered', registrar: this.config.registrar.uri });
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.emit({ event: 'stopped' });
    return Promise.resolve();
  }

  execute(cmd: Command): Promise<CommandResult> {
    this.executed.push(cmd);
    return Promise.resolve(cmd.cmd === 'history' ? { ok: false, error: '"history" is not available in this configuration' } : { ok: true });
  }

  emit(e: ControlEvent): void {
    this.events.emit('event', e);
  }
}

export const sampleConfig = {
  transport: { protocol: 'udp', bind: '127.0.0.1:0' },
  registrar: { uri: 'sip:127.0.0.1:5060', backups: [] },
  lines: [
    { id: 'l1', aor: 'sip:200@127.0.0.1', username: '200', password: 'one' },
    { id: 'l2', aor: 'sip:201@127.0.0.1', username: '201', password: 'two', maxCalls: 2 },
  ],
  timers: { heartbeatMs: 5000 },
};

/** A DeskHost on a temp config file and fake cores (cores[0] first, a new one per restart). */
export function fakeDesk(opts: { vault?: SecretVault; config?: object } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-desk-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(opts.config ?? sampleConfig));
  const cores: FakeCore[] = [];
  const host = new DeskHost({
    store: new ConfigFileStore(file, opts.vault),
    prefs: new MemoryPrefsStore(),
    createCore: (config) => {
      const core = new FakeCore(config);
      cores.push(core);
      return core;
    },
    log: silentLogger,
  });
  return { host, cores, file, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What the settings form sends back for a view it was shown: the view less its read-only fields. */
export function saveFrom(view: SettingsView): SettingsSave {
  return { ...view, lines: view.lines.map(({ hasPassword: _h, ownRegistrar: _o, ...l }) => l) };
}

/** A SecretVault in memory (safeStorage needs Electron), its entries open to the test. */
export class MemoryVault implements SecretVault {
  readonly entries = new Map<string, string>();
  get = (k: string) => this.entries.get(k);
  set = (k: string, v: string) => void this.entries.set(k, v);
  delete = (k: string) => void this.entries.delete(k);
  keys = () => [...this.entries.keys()];
}
