import type { Clock } from '../common/clock.js';
import type { Emitter } from '../common/emitter.js';
import type { Logger } from '../common/logger.js';
import type { LineDeskConfig } from '../config/schema.js';
import type { ControlEvent } from '../contract/control-events.js';
import type { CommandRegistry } from './command-registry.js';

/** What a feature module sees of the core: the event bus, the command registry, and a few services. */
export interface CoreHost {
  readonly events: Emitter<{ event: [e: ControlEvent] }>;
  emit(e: ControlEvent): void;
  readonly commands: CommandRegistry;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: LineDeskConfig;
  /** Folder that relative paths in the config are resolved against. */
  readonly baseDir: string;
  /** Line ids, in config order. */
  lineIds(): string[];
  /** True for lines an agent answers; false for service lines (auto-answer), which no agent state affects. */
  isAgentLine(line: string): boolean;
  /** Lets the agent-state layer keep an agent line from being offered calls (paused, wrap-up, offline); service lines ignore it. */
  setLinePaused(line: string, paused: boolean): void;
  /** Cleanup at stop, last registered first. */
  onStop(fn: () => void | Promise<void>): void;
}

/**
 * A feature of LineDesk (agent state, statistics, media…), in the baresip way: one
 * uniform way in. `install` registers commands and subscribes to events; the core calls
 * it once, before the lines start.
 */
export interface CoreModule {
  readonly name: string;
  install(host: CoreHost): void | Promise<void>;
}
