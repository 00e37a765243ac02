import { agentModule } from '../modules/agent-module.js';
import { callsModule } from '../modules/calls-module.js';
import { devicesModule } from '../modules/devices-module.js';
import { mediaModule } from '../modules/media-module.js';
import type { CoreModule } from '../modules/module-api.js';
import { outboundModule } from '../modules/outbound-module.js';
import { statsModule } from '../modules/stats-module.js';
import { teamModule } from '../modules/team-module.js';

/**
 * The modules every LineDesk front end (headless runner, browser mode, desktop app)
 * installs into its core. The core installs each module after the providers of what it
 * needs (devices → media → calls → outbound, agent), the bus delivers events in causal
 * order, and the stop runs in phases (see LineDeskCore.stop). Beyond that the order here
 * matters once: team needs nothing and comes first, so it installs first and its close
 * hook runs last, after the stats module's final writes, which it then ships.
 */
export function defaultModules(): CoreModule[] {
  return [teamModule, statsModule, devicesModule, mediaModule, callsModule, outboundModule, agentModule];
}
