import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_NAME = 'V2L Studio';

/**
 * The per-user data folder, identical to Electron's app.getPath('userData') for this app, so the server mode,
 * the CLI and the desktop app share one store. V2L_DATA_DIR overrides it (tests, portable installs).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['V2L_DATA_DIR'];
  if (override) return path.resolve(override);
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_NAME);
    default:
      return path.join(env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'), APP_NAME);
  }
}

/**
 * The repository's (or packaged app's) resources folder. Source files live two levels below the root in
 * both layouts that run them: src-main/engine (tsx) and out/main (electron-vite bundle).
 */
export function defaultResourcesDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['V2L_RESOURCES_DIR'];
  if (override) return path.resolve(override);
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', 'resources');
}
