// The step runner of the training tools' end-to-end tests (test_convert.mjs, test_export.mjs): each step is a child
// process; its time is printed, and a failure ends the test with the step's name (and, for a missing Python, the fix).
import { spawnSync } from 'node:child_process';

export const python = process.env.V2L_PYTHON ?? '/usr/bin/python3';

export function stepRunner(name, cwd) {
  return function run(label, command, args, { capture = false } = {}) {
    const t = performance.now();
    const result = spawnSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
      // One BLAS thread per process: torch already runs its own threads, and the machine may be shared.
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '2' },
    });
    if (result.error) {
      console.error(`${name}: ${label}: ${result.error.message}`);
      if (result.error.code === 'ENOENT' && command === python) {
        console.error(
          `  ${python} is missing. Install Debian's python3-torch python3-onnx python3-numpy (see README), ` +
            'or set V2L_PYTHON.',
        );
      }
      process.exit(1);
    }
    if (result.status !== 0) {
      console.error(`${name}: ${label} failed (exit ${result.status})`);
      process.exit(1);
    }
    console.log(`${name}: ${label} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    return capture ? result.stdout : '';
  };
}
