import type { RunSummary } from '../../../src-shared/contract/restore';
import { TASKS } from '../../../src-shared/tasks/registry';
import { listedRuns, runOutcome } from './run-list';

/** Past runs from the store, newest first, each with its photo; choosing one reopens its results and photo. */
export function HistoryList({
  runs,
  onOpen,
  current,
}: {
  runs: readonly RunSummary[];
  onOpen: (runId: number) => void;
  current: number | null;
}) {
  const listed = listedRuns(runs);
  if (listed.length === 0) return <p className="hint">Runs you make appear here.</p>;
  return (
    <ul className="history" data-testid="history">
      {listed.map((r) => (
        <li key={r.runId}>
          <button
            type="button"
            className={r.runId === current ? 'active' : ''}
            data-testid={`history-run-${r.runId}`}
            data-image-id={r.imageId}
            onClick={() => onOpen(r.runId)}
            title={`${r.imageName} · ${new Date(r.createdAt).toLocaleString()} · ${r.protocol}`}
          >
            {r.thumbnailUrl ? (
              <img src={r.thumbnailUrl} alt="" width={32} height={32} />
            ) : (
              <span className="thumb-missing" aria-hidden="true" />
            )}
            <span className="history-text">
              <span className="history-name">{r.imageName}</span>
              <span className="hint">
                #{r.runId} {TASKS[r.task].label} ·{' '}
                <span className={`status-${r.status}`} data-testid="run-outcome">
                  {runOutcome(r)}
                </span>
              </span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
