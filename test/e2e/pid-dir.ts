import path from 'node:path';

/**
 * Where an e2e run records the studio servers it started: a folder per run, named for the run's main process
 * (leftovers.ts sets RUN_ENV before any suite starts; the suites' worker processes inherit it). Two runs in one
 * checkout then never take each other's servers for leftovers.
 */
export const PIDS_ROOT = path.resolve('test-output', 'e2e-pids');
export const RUN_ENV = 'V2L_E2E_RUN';

export function runPidDir(run: string | undefined = process.env[RUN_ENV]): string {
  // Without the run's id the servers would go unrecorded, and a leftover could never fail the run.
  if (!run) throw new Error(`${RUN_ENV} is not set: run the e2e suites through vitest.e2e.config.ts`);
  return path.join(PIDS_ROOT, run);
}
