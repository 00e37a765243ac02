import { Emitter } from '../../../src-main/common/emitter.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import { parseConfig } from '../../../src-main/config/load-config.js';
import type { LineDeskConfig } from '../../../src-main/config/schema.js';
import type { Command, CommandResult } from '../../../src-main/contract/commands.js';
import type { ControlEvent } from '../../../src-main/contract/control-events.js';
import { CallRegistry } from '../../../src-main/calls/call-registry.js';
import { LineEligibility } from '../../../src-main/modules/calls-module.js';
import { CommandRegistry } from '../../../src-main/modules/command-registry.js';
import type { CoreHost, CoreModule } from '../../../src-main/modules/module-api.js';
import { ServiceRegistry } from '../../../src-main/modules/services.js';
import type { SipLine } from '../../../src-main/sip/line/sip-line.js';
import { FakeClock } from '../../support/fake-clock.js';

/**
 * A CoreHost without SIP, for installing feature modules in unit tests: a real event bus
 * and command registry, a fake clock, every emitted event recorded, and a line-eligibility
 * service that records what the agent module pauses.
 */
export class FakeCoreHost implements CoreHost {
  readonly events = new Emitter<{ event: [e: ControlEvent] }>();
  readonly commands = new CommandRegistry();
  readonly services = new ServiceRegistry();
  readonly sipLines = new Map<string, SipLine>();
  readonly localAddress = '127.0.0.1';
  readonly calls: CallRegistry;
  readonly log = silentLogger;
  readonly emitted: ControlEvent[] = [];
  readonly paused: [line: string, paused: boolean][] = [];
  readonly #stops: (() => void | Promise<void>)[] = [];
  readonly #closes: (() => void | Promise<void>)[] = [];
  /** Called when a line is paused or resumed, after it is recorded (wire a real dispatcher here). */
  onSetLinePaused: ((line: string, paused: boolean) => void) | undefined;

  constructor(
    readonly config: LineDeskConfig,
    readonly clock: FakeClock = new FakeClock(),
    readonly baseDir = '/nonexistent',
  ) {
    this.events.on('event', (e) => this.emitted.push(e));
    this.calls = new CallRegistry(clock);
    this.services.provide(LineEligibility, {
      setPaused: (line, paused) => {
        if (!this.isAgentLine(line)) return;
        this.paused.push([line, paused]);
        this.onSetLinePaused?.(line, paused);
      },
    });
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

  onStop(fn: () => void | Promise<void>): void {
    this.#stops.push(fn);
  }

  onClose(fn: () => void | Promise<void>): void {
    this.#closes.push(fn);
  }

  async install(...modules: CoreModule[]): Promise<void> {
    for (const m of modules) await m.install(this);
  }

  run(cmd: Command): Promise<CommandResult> {
    return this.commands.execute(cmd);
  }

  /** Both phases of a stop, like the core: stop hooks, then close hooks, each last first. */
  async stop(): Promise<void> {
    for (const fn of [...this.#stops].reverse()) await fn();
    for (const fn of [...this.#closes].reverse()) await fn();
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
