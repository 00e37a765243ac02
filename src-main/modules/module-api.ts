import type { CallRegistry } from '../calls/call-registry.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { LineDeskConfig } from '../config/schema.js';
import type { ControlEvent } from '../contract/control-events.js';
import type { SipLine } from '../sip/line/sip-line.js';
import type { CommandRegistry } from './command-registry.js';
import type { ServiceId, ServiceRegistry } from './services.js';

/** What a feature module sees of the core: the event bus, the command registry, services and the lines. */
export interface CoreHost {
  /** The bus, as a module sees it: each event before any front end, in causal order. */
  readonly events: { on(event: 'event', listener: (e: ControlEvent) => void): () => void };
  emit(e: ControlEvent): void;
  readonly commands: CommandRegistry;
  /** What other modules provide; read only what the module's `needs` lists. */
  readonly services: ServiceRegistry;
  /** Every live call, by Call-ID and by line. */
  readonly calls: CallRegistry;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: LineDeskConfig;
  /** Folder that relative paths in the config are resolved against. */
  readonly baseDir: string;
  /** Line ids, in config order. */
  lineIds(): string[];
  /** True for lines an agent answers; false for service lines (auto-answer), which no agent state affects. */
  isAgentLine(line: string): boolean;
  /** The SIP side of each line (created before modules install; they start registering after). */
  readonly sipLines: ReadonlyMap<string, SipLine>;
  /** The local address that routes to the first line's first hop (its registrar or proxy, after DNS). */
  readonly localAddress: string;
  /**
   * First phase of a stop, while the lines are still registered: hang up, go offline. Runs
   * in the reverse of the install order.
   */
  onStop(fn: () => void | Promise<void>): void;
  /**
   * Last phase, after every line un-registered and the sockets closed: release what is left
   * (the database, the sound card). Reverse install order.
   */
  onClose(fn: () => void | Promise<void>): void;
}

/**
 * A feature of LineDesk (calls, media, agent state, statistics…), in the baresip way: one
 * uniform way in. `install` registers commands, subscribes to events and provides its
 * services; the core calls it once, before the lines start, after the modules that provide
 * what it `needs` (a need nobody provides, or a cycle, stops the start with a message).
 */
export interface CoreModule {
  readonly name: string;
  readonly needs?: readonly ServiceId<unknown>[];
  readonly provides?: readonly ServiceId<unknown>[];
  install(host: CoreHost): void | Promise<void>;
}
