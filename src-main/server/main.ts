/**
 * `npm run serve`: the studio in a browser, over the same engine the desktop app uses. Binds to 127.0.0.1 and
 * prints the address with its launch token.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { shellApi } from '../api/shell-api';
import { Engine } from '../engine/engine';
import { StudioError } from '../engine/errors';
import { defaultDataDir, defaultResourcesDir } from '../engine/paths';
import { readPackageVersion } from '../engine/version';
import { startServer } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env['V2L_PORT'] ?? '0' },
    'renderer-dir': { type: 'string' },
  },
});

// A failure that escaped one request's handling is logged in one line; the other requests and jobs go on.
process.on('unhandledRejection', (reason) => {
  console.error(`Unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`);
});

const resourcesDir = defaultResourcesDir();
const engine = startupStep(
  () =>
    new Engine({
      dataDir: defaultDataDir(),
      resourcesDir,
      version: readPackageVersion(),
      transport: 'server',
    }),
);

/**
 * The server shell has no native dialogs: the renderer uses the browser's file input to open, and exports into
 * the data folder's exports/ folder.
 */
const api = shellApi(engine, {
  openWithDialog: () =>
    Promise.reject(
      new StudioError(
        'UNSUPPORTED',
        'Native file dialogs exist only in the desktop app; in the browser, use Open to pick a file.',
      ),
    ),
  exportWithDialog: () =>
    Promise.reject(
      new StudioError(
        'UNSUPPORTED',
        'The save dialog exists only in the desktop app; in the browser, Export writes to the exports folder.',
      ),
    ),
});

const server = await startServer({
  api,
  subscribe: (listener) => {
    engine.events.on('event', listener);
    return () => engine.events.off('event', listener);
  },
  rendererDir: values['renderer-dir'] ?? path.resolve(resourcesDir, '..', 'out', 'renderer'),
  port: Number(values.port),
}).catch((error: unknown) => {
  console.error(`V2L Studio cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

console.log(`V2L Studio is serving on ${server.url}`);
console.log(`Open this address in your browser (it carries this launch's access token): ${server.launchUrl}`);

const shutdown = async () => {
  await server.close();
  await engine.dispose();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

/**
 * Runs a start-up step; when it fails (a read-only or full data folder, a port in use), prints the cause in one
 * line, without a stack trace, and exits.
 */
function startupStep<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    console.error(`V2L Studio cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
