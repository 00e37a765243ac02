import { agentModule } from '../agent/agent-module.js';
import { statsModule } from '../stats/stats-module.js';
import { teamModule } from '../team/team-module.js';
import type { CoreModule } from './core-module.js';

/**
 * The modules every LineDesk front end (headless runner, browser mode, desktop app)
 * installs into its core, in order. Stats comes before agent: it then records each
 * call's end before the wrap-up that follows it, and (stop hooks run last-first) the
 * agent's final offline state before its database closes. Team comes first: its stop
 * hook runs last, so it ships those final writes before the desk closes.
 */
export function defaultModules(): CoreModule[] {
  return [teamModule, statsModule, agentModule];
}
