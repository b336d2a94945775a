import { defaultDataDir, defaultResourcesDir } from '../../engine/paths';
import { readPackageVersion } from '../../engine/version';
import { printResult, type Command } from '../command';

export const info: Command = {
  name: 'info',
  usage: 'info [--json]',
  summary: 'version, data folder and resources folder',
  run: (args) => {
    printResult(
      { version: readPackageVersion(), data_dir: defaultDataDir(), resources_dir: defaultResourcesDir() },
      args.includes('--json'),
    );
    return Promise.resolve();
  },
};
