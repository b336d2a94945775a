import path from 'node:path';

/** Formats a duration for a progress line: seconds under two minutes, then minutes, then hours. */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

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
