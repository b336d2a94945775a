import path from 'node:path';
import { formatDuration } from '../../src-shared/format';

/**
 * Progress of a loop over files on stderr, one line per file: "[3/50] name: details, about 2 min left". The time
 * left is the mean time per file so far times the files still to go.
 */
export function fileProgress(total: number): (done: number, file: string, details: string) => void {
  const started = performance.now();
  return (done, file, details) => {
    const elapsed = (performance.now() - started) / 1000;
    const left = done < total ? `, about ${formatDuration((elapsed / done) * (total - done))} left` : '';
    process.stderr.write(`[${done}/${total}] ${path.basename(file)}: ${details}${left}\n`);
  };
}
