import { agentModule } from '../agent/agent-module.js';
import { statsModule } from '../stats/stats-module.js';
import type { CoreModule } from './core-module.js';

/**
 * The modules every LineDesk front end (headless runner, browser mode, desktop app)
 * installs into its core, in order. Stats comes before agent: it then records each
 * call's end before the wrap-up that follows it, and (stop hooks run last-first) the
 * agent's final offline state before its database closes.
 */
export function defaultModules(): CoreModule[] {
  return [statsModule, agentModule];
}
