import type { RunSummary } from '../../../src-preload/contract/restore';
import { TASK_INFO } from '../run/request';

/** Past runs from the store, newest first; choosing one reopens its results. */
export function HistoryList({
  runs,
  onOpen,
  current,
}: {
  runs: readonly RunSummary[];
  onOpen: (runId: number) => void;
  current: number | null;
}) {
  if (runs.length === 0) return <p className="hint">Runs you make appear here.</p>;
  return (
    <ul className="history" data-testid="history">
      {runs.map((r) => (
        <li key={r.runId}>
          <button
            type="button"
            className={r.runId === current ? 'active' : ''}
            data-testid={`history-run-${r.runId}`}
            onClick={() => onOpen(r.runId)}
            title={`${new Date(r.createdAt).toLocaleString()} · ${r.protocol}`}
          >
            <span>
              #{r.runId} {TASK_INFO[r.task].label}
            </span>
            <span className={`hint status-${r.status}`}>
              {r.status === 'done' && r.tokenAccuracy !== null
                ? `${(r.tokenAccuracy * 100).toFixed(0)} %`
                : r.status}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
