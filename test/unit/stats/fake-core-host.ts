import { Emitter } from '../../../src-main/common/emitter.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import { parseConfig } from '../../../src-main/config/load-config.js';
import type { LineDeskConfig } from '../../../src-main/config/schema.js';
import type { Command, CommandResult } from '../../../src-main/contract/commands.js';
import type { ControlEvent } from '../../../src-main/contract/control-events.js';
import { CommandRegistry } from '../../../src-main/core/command-registry.js';
import type { CoreHost, CoreModule } from '../../../src-main/core/core-module.js';
import { FakeClock } from '../../support/fake-clock.js';

/**
 * A CoreHost without SIP, for installing feature modules in unit tests: a real event bus
 * and command registry, a fake clock, every emitted event and setLinePaused call recorded.
 */
export class FakeCoreHost implements CoreHost {
  readonly events = new Emitter<{ event: [e: ControlEvent] }>();
  readonly commands = new CommandRegistry();
  readonly log = silentLogger;
  readonly emitted: ControlEvent[] = [];
  readonly paused: [line: string, paused: boolean][] = [];
  readonly #stops: (() => void | Promise<void>)[] = [];
  /** Called on setLinePaused, after it is recorded (wire a real dispatcher here). */
  onSetLinePaused: ((line: string, paused: boolean) => void) | undefined;

  constructor(
    readonly config: LineDeskConfig,
    readonly clock: FakeClock = new FakeClock(),
    readonly baseDir = '/nonexistent',
  ) {
    this.events.on('event', (e) => this.emitted.push(e));
  }

  emit(e: ControlEvent): void {
    this.events.emit('event', e);
  }

  lineIds(): string[] {
    return this.config.lines.map((l) => l.id);
  }

  isAgentLine(line: string): boolean {
    const l = this.config.lines.find((x) => x.id === line);
    return l !== undefined && l.autoAnswerMs === undefined;
  }

  setLinePaused(line: string, paused: boolean): void {
    this.paused.push([line, paused]);
    this.onSetLinePaused?.(line, paused);
  }

  onStop(fn: () => void | Promise<void>): void {
    this.#stops.push(fn);
  }

  async install(...modules: CoreModule[]): Promise<void> {
    for (const m of modules) await m.install(this);
  }

  run(cmd: Command): Promise<CommandResult> {
    return this.commands.execute(cmd);
  }

  async stop(): Promise<void> {
    for (const fn of [...this.#stops].reverse()) await fn();
  }

  named<K extends ControlEvent['event']>(name: K): Extract<ControlEvent, { event: K }>[] {
    return this.emitted.filter((e): e is Extract<ControlEvent, { event: K }> => e.event === name);
  }
}

/** A parsed config with `lines` agent lines (l1…, extensions 200…), `serviceLines` auto-answer lines (s1…, 300…) and the given agent/store/dispatch settings. */
export function testConfig(opts: { lines?: number; serviceLines?: number; agent?: object; store?: object; dispatch?: object } = {}): LineDeskConfig {
  const agentLines = opts.lines ?? 2;
  return parseConfig({
    transport: { protocol: 'udp', bind: '127.0.0.1:0' },
    registrar: { uri: 'sip:127.0.0.1:5060', backups: [] },
    lines: [
      ...Array.from({ length: agentLines }, (_, i) => ({ id: `l${i + 1}`, aor: `sip:${200 + i}@127.0.0.1`, username: String(200 + i), password: 'secret' })),
      // Service lines (auto-answer) s1…: no agent state applies to them.
      ...Array.from({ length: opts.serviceLines ?? 0 }, (_, i) => ({ id: `s${i + 1}`, aor: `sip:${300 + i}@127.0.0.1`, username: String(300 + i), password: 'secret', autoAnswerMs: 0 })),
    ],
    agent: { wrapupSeconds: 30, pauseReasons: ['break', 'lunch', 'training'], initialState: 'available', ...opts.agent },
    store: { path: ':memory:', ...opts.store },
    ...(opts.dispatch ? { dispatch: opts.dispatch } : {}),
  });
}
