/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { LineDeskApi } from '../../src-main/contract/ipc-contract.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    linedesk?: LineDeskApi;
  }
}
