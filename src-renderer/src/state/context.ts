import { getContext, setContext } from 'svelte';
import type { LineDeskApi } from '../../../src-main/contract/ipc-contract.js';
import type { I18n } from '../i18n/i18n.svelte.js';
import type { Connection } from '../transport/connect-api.js';
import type { Actions } from './actions.svelte.js';
import type { Clock } from './clock.svelte.js';
import type { DeskState } from './desk-state.svelte.js';

/** What every component of a window can reach. */
export interface AppContext {
  api: LineDeskApi;
  connection: Connection;
  desk: DeskState;
  i18n: I18n;
  actions: Actions;
  clock: Clock;
}

const key = Symbol('linedesk');

export function setApp(ctx: AppContext): void {
  setContext(key, ctx);
}

export function app(): AppContext {
  return getContext<AppContext>(key);
}
