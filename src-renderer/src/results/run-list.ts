import type { RunSummary } from '../../../src-shared/contract/restore';

/**
 * The runs worth listing: finished ones and the one in progress. A refused or failed attempt, or a cancelled one,
 * produced no results to reopen, so it is not a run the user can come back to.
 */
export function listedRuns(runs: readonly RunSummary[]): RunSummary[] {
  return runs.filter((r) => r.status === 'done' || r.status === 'running');
}

/** What a runs-list entry says of its outcome: the token accuracy where the run measured one. */
export function runOutcome(run: RunSummary): string {
  if (run.status !== 'done') return run.status;
  return run.tokenAccuracy === null ? 'no metrics' : `${(run.tokenAccuracy * 100).toFixed(0)} %`;
}
