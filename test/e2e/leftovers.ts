import fs from 'node:fs';
import path from 'node:path';
import { alive } from '../../scripts/process-alive';

/**
 * Global setup/teardown of the e2e run: every studio server the suites start is recorded by the harness and
 * unrecorded when it has been stopped. A server not stopped by its suite is killed here (if the harness's exit hook
 * has not already) and fails the run, so a suite that forgets to stop what it started cannot pass.
 */
const PID_DIR = path.resolve('test-output', 'e2e-pids');

export function setup(): void {
  fs.rmSync(PID_DIR, { recursive: true, force: true });
}

export function teardown(): void {
  // A file is removed when its server is stopped; one still here means a suite did not stop what it started (the
  // harness's exit hook has usually killed it already, with the worker).
  const pids = fs.existsSync(PID_DIR) ? fs.readdirSync(PID_DIR).map(Number) : [];
  for (const pid of pids.filter((pid) => Number.isInteger(pid) && alive(pid))) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone between the check and the kill.
    }
  }
  fs.rmSync(PID_DIR, { recursive: true, force: true });
  if (pids.length > 0) {
    // Vitest reports an error thrown here but keeps its exit status, so set the status as well.
    process.exitCode = 1;
    throw new Error(
      `${pids.length} studio server(s) were not stopped by the e2e suites that started them (pids ${pids.join(', ')}); all are killed now`,
    );
  }
}
