import type { StudioClient } from '../src-shared/contract/api';

declare global {
  interface Window {
    /** Present only inside the Electron shell; the browser build talks to the local server instead. */
    readonly v2l?: StudioClient;
  }
}
