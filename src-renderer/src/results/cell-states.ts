import type { GridCell, RunView } from '../../../src-shared/contract/restore';

export type CellState = 'unchanged' | 'corrupted' | 'correct' | 'wrong' | 'predicted' | 'pending';

export const STATE_LABEL: Readonly<Record<CellState, string>> = {
  unchanged: 'unchanged',
  corrupted: 'corrupted',
  correct: 'predicted, correct',
  wrong: 'predicted, wrong',
  predicted: 'predicted',
  pending: 'waiting for the LM',
};

/** Whether the run's corrected words can be judged against clean words (there is an original to compare with). */
export const isComparable = (run: RunView) => run.grids !== null && run.params.extend === undefined;

/** The state of every cell of a run's corrupted and corrected grids. */
export function runCellStates(run: RunView): { corrupted: CellState[]; result: CellState[] } {
  const predicted = new Set(run.predictedCells);
  const compare = isComparable(run);
  const clean: readonly GridCell[] = run.grids?.clean ?? [];
  const corrupted: CellState[] = [];
  const result: CellState[] = [];
  for (let i = 0; i < 256; i++) {
    const damaged = predicted.has(i) || (compare && run.grids?.corrupted[i]?.id !== clean[i]?.id);
    corrupted.push(damaged ? 'corrupted' : 'unchanged');
    if (!predicted.has(i)) result.push('unchanged');
    else if (!compare) result.push('predicted');
    else result.push(run.grids?.result[i]?.id === clean[i]?.id ? 'correct' : 'wrong');
  }
  return { corrupted, result };
}

/** Confidence of each predicted cell, by cell. */
export function confidenceByCell(run: RunView): Map<number, number> {
  return new Map(run.predictedCells.map((cell, i) => [cell, run.confidence[i] ?? 0]));
}
