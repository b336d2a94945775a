import type { StudioClient } from '../../../src-shared/contract/api';
import { createHttpClient } from './httpClient';

/** Inside Electron the preload provides the API; in a browser the local server does. Same contract either way. */
export const studio: StudioClient = window.v2l ?? createHttpClient();
