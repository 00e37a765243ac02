import { agentModule } from '../modules/agent-module.js';
import { callsModule } from '../modules/calls-module.js';
import { devicesModule } from '../modules/devices-module.js';
import { integrationsModule } from '../modules/integrations-module.js';
import { mediaModule } from '../modules/media-module.js';
import type { CoreModule } from '../modules/module-api.js';
import { outboundModule } from '../modules/outbound-module.js';
import { presenceModule } from '../modules/presence-module.js';
import { recordingModule } from '../modules/recording-module.js';
import { referModule } from '../modules/refer-module.js';
import { sessionTimersModule } from '../modules/session-timers-module.js';
import { statsModule } from '../modules/stats-module.js';
import { teamModule } from '../modules/team-module.js';

/**
 * The modules every LineDesk front end (headless runner, browser mode, desktop app)
 * installs into its core. The order here does not matter: the core installs each module
 * after the providers of what it needs (devices → media → calls → outbound → refer,
 * session-timers, agent; stats → team, integrations), the bus delivers events in causal order, and the
 * stop runs in phases (see LineDeskCore.stop).
 */
export function defaultModules(): CoreModule[] {
  return [statsModule, teamModule, devicesModule, mediaModule, callsModule, outboundModule, referModule, sessionTimersModule, agentModule, integrationsModule, presenceModule, recordingModule];
}
