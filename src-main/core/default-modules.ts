import type { CoreModule } from './core-module.js';

/**
 * The modules every LineDesk front end (headless runner, browser mode, desktop app)
 * installs into its core, in order.
 */
export function defaultModules(): CoreModule[] {
  return [];
}
