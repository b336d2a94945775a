import { useState } from 'react';
import type { RunView } from '../../../src-shared/contract/restore';
import { ExportPanel } from '../export/ExportPanel';
import { PROTOCOLS, TASKS } from '../../../src-shared/tasks/registry';
import { CellImage } from './CellImage';
import { confidenceByCell, isComparable, runCellStates, STATE_LABEL } from './cell-states';
import { CompareSlider } from './CompareSlider';
import { GlobalWords } from './GlobalWords';
import { MetricsTable } from './MetricsTable';
import { TilePicker } from './TilePicker';
import { TokenGrid } from './TokenGrid';
import { useTileRun } from './useTileRun';

/** A finished run side by side: images and word grids with a shared hovered cell, compare, metrics, export. */
export function ResultsView({ run: given, photoFormat }: { run: RunView; photoFormat?: string | undefined }) {
  const [hovered, setHovered] = useState<number | null>(null);
  // A full-resolution run shows one tile's grids and views at a time; the picked one.
  const { shown: run, pick, loading, problem } = useTileRun(given);
  if (run.status !== 'done' || !run.grids) {
    return (
      <div className="results empty-state" data-testid="results" data-status={run.status}>
        <h2>
          Run {run.runId}: {run.status}
        </h2>
        {run.error && <p>{run.error}</p>}
      </div>
    );
  }
  const comparable = isComparable(run);
  const states = runCellStates(run);
  const confidence = confidenceByCell(run);
  const grids = run.grids;
  const cell =
    hovered === null
      ? null
      : { corrupted: grids.corrupted[hovered], result: grids.result[hovered], clean: grids.clean[hovered] };
  const p = hovered === null ? undefined : confidence.get(hovered);

  return (
    <div className="results" data-testid="results" data-status={run.status} data-run-id={run.runId}>
      <header className="results-header">
        <h2>
          Run {run.runId} · {TASKS[run.task].label} · {PROTOCOLS[run.protocol].label}
        </h2>
        <p className="hint">
          Tokenizer {run.tokenizer} · LM {run.lm} ·{' '}
          {run.tiles
            ? `${run.tiles.count} tiles of ${run.predictedCells.length} words predicted`
            : `${run.predictedCells.length} words predicted`}
          {run.timings?.['total'] === undefined ? '' : ` in ${run.timings['total'].toFixed(1)} s`}
          {run.timings?.['llm'] !== undefined && run.timings['llm_estimated'] !== undefined && (
            <span data-testid="run-estimate-vs-measured">
              {` (language model ${run.timings['llm'].toFixed(1)} s, estimated ${run.timings['llm_estimated'].toFixed(1)} s)`}
            </span>
          )}
        </p>
      </header>
      {run.tiles && (
        <div className="full-resolution">
          {run.images.photo && (
            <figure className="panel-figure photo-result">
              <figcaption>Restored photo, at its own size</figcaption>
              <img src={run.images.photo} alt="The restored photo" data-testid="image-photo" />
            </figure>
          )}
          <div>
            <TilePicker tiles={run.tiles} photo={run.images.photo} loading={loading} onPick={pick} />
            <p className="hint">The words and 128 px images below are the picked tile's.</p>
            {problem && <p className="error-text">{problem}</p>}
          </div>
        </div>
      )}
      <GlobalWords
        words={run.global}
        label="Global words (they lead every prompt and condition the decoder)"
        testId="global-words"
      />
      <div className="side-by-side">
        <CellImage
          label="Corrupted"
          src={run.images.corrupted}
          testId="image-corrupted"
          hovered={hovered}
          onHover={setHovered}
        />
        <TokenGrid
          label="Corrupted words"
          testId="grid-corrupted"
          cells={grids.corrupted}
          states={states.corrupted}
          hovered={hovered}
          onHover={setHovered}
        />
        <TokenGrid
          label="Corrected words"
          testId="grid-result"
          cells={grids.result}
          states={states.result}
          hovered={hovered}
          onHover={setHovered}
          confidence={confidence}
        />
        <CellImage
          label="Decoded result"
          src={run.images.result ?? run.images.decoded}
          testId="image-result"
          hovered={hovered}
          onHover={setHovered}
        />
        {run.images.classical && (
          <CellImage
            label={`Classical (${TASKS[run.task].classical?.short ?? 'none'})`}
            src={run.images.classical}
            testId="image-classical"
            hovered={hovered}
            onHover={setHovered}
          />
        )}
        {comparable && (
          <CellImage
            label="Original"
            src={run.images.original}
            testId="image-original"
            hovered={hovered}
            onHover={setHovered}
          />
        )}
      </div>
      <div className="cell-info" data-testid="cell-info" aria-live="polite">
        {hovered === null || !cell ? (
          <span className="hint">
            Hover a word or an image (or focus a grid and use the arrow keys) to inspect a cell.
          </span>
        ) : (
          <span>
            Cell {hovered} (row {Math.floor(hovered / 16)}, column {hovered % 16}) · corrupted id{' '}
            {cell.corrupted?.id} “{cell.corrupted?.text}” → corrected id {cell.result?.id} “
            {cell.result?.text}”{comparable && ` · clean id ${cell.clean?.id} “${cell.clean?.text}”`}
            {p === undefined ? ' · not predicted' : ` · LM confidence ${(p * 100).toFixed(1)} %`} ·{' '}
            {STATE_LABEL[states.result[hovered] ?? 'unchanged']}
          </span>
        )}
      </div>
      <ul className="legend" aria-label="Colour key">
        {(['unchanged', 'corrupted', 'correct', 'wrong', 'predicted'] as const).map((s) => (
          <li key={s}>
            <span className={`swatch state-${s}`} /> {STATE_LABEL[s]}
          </li>
        ))}
      </ul>
      <div className="results-lower">
        {comparable && run.images.original && run.images.result && (
          <CompareSlider original={run.images.original} result={run.images.result} />
        )}
        <MetricsTable run={run} comparable={comparable} />
        <ExportPanel
          key={run.runId}
          runId={run.runId}
          hasPhoto={run.window !== null || run.tiles !== null}
          tiles={run.tiles}
          photoFormat={photoFormat}
        />
      </div>
    </div>
  );
}
