import fs from 'node:fs';
import { alive } from '../../scripts/process-alive';
import { PIDS_ROOT, RUN_ENV, runPidDir } from './pid-dir';

/**
 * Global setup/teardown of the e2e run: every studio server the suites start is recorded by the harness and
 * unrecorded when it has been stopped. A server not stopped by its suite is killed here (if the harness's exit hook
 * has not already) and fails the run, so a suite that forgets to stop what it started cannot pass.
 */
const PID_DIR = runPidDir(String(process.pid));

/** Kills the process groups recorded in `dir` that are still alive; returns every pid recorded there. */
function killRecorded(dir: string): number[] {
  const pids = fs.existsSync(dir) ? fs.readdirSync(dir).map(Number) : [];
  for (const pid of pids.filter((pid) => Number.isInteger(pid) && alive(pid))) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone between the check and the kill.
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return pids;
}

export function setup(): void {
  process.env[RUN_ENV] = String(process.pid);
  // Runs whose main process is gone (killed before their teardown) may have left servers: end those. A run still
  // going in this checkout keeps its own.
  const runs = fs.existsSync(PIDS_ROOT) ? fs.readdirSync(PIDS_ROOT) : [];
  for (const run of runs.filter((run) => !alive(Number(run)))) killRecorded(runPidDir(run));
}

export function teardown(): void {
  // A file is removed when its server is stopped; one still here means a suite did not stop what it started (the
  // harness's exit hook has usually killed it already, with the worker).
  const pids = killRecorded(PID_DIR);
  if (pids.length > 0) {
    // Vitest reports an error thrown here but keeps its exit status, so set the status as well.
    process.exitCode = 1;
    throw new Error(
      `${pids.length} studio server(s) were not stopped by the e2e suites that started them (pids ${pids.join(', ')}); all are killed now`,
    );
  }
}
