import { useEffect, useRef, useState } from 'react';
import type { ImageSummary } from '../../../src-shared/contract/api';
import { protocolRefusal } from '../../../src-shared/tasks/registry';
import { Dialog } from '../components/Dialog';
import { batchOptionsLabel } from './batch-options';
import { rowStatus, summaryText, type BatchRow } from './batch-queue';
import { BatchOptionsForm } from './BatchOptionsForm';
import type { BatchApi } from './useBatch';

interface BatchPanelProps {
  readonly batch: BatchApi;
  /** The store's recent photos: their thumbnails stand in for a row whose file this window no longer has. */
  readonly recent: readonly ImageSummary[];
  readonly onOpenRun: (runId: number) => void;
}

const duration = (s: number) =>
  s < 60 ? `${Math.ceil(s)} s` : `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;

/**
 * The batch: the options to start its ready photos with, and a row per photo with its state. Closing it (Escape)
 * stops nothing: the engine goes on with the jobs, and the toolbar's Batch button opens the panel again.
 */
export function BatchPanel({ batch, recent, onOpenRun }: BatchPanelProps) {
  const { summary, options } = batch;
  // A batch marks nothing on its photos, so no canvas is ever extended.
  const refusal = protocolRefusal(options.task, options.protocol, false);
  const close = () => batch.setOpen(false);
  return (
    <Dialog title="Batch" onClose={close} testId="batch-panel">
      <div className="batch">
        {summary.ready > 0 && <BatchOptionsForm options={options} onChange={batch.setOptions} />}
        {summary.total > 0 && (
          <div className="batch-overall" role="status" aria-live="polite">
            <progress max={1} value={summary.fraction} aria-label="Batch progress" />
            <span data-testid="batch-summary">{summaryText(summary)}</span>
          </div>
        )}
        <ul className="batch-rows" data-testid="batch-rows">
          {batch.rows.map((row) => (
            <BatchRowItem
              key={row.key}
              row={row}
              thumbnail={recent.find((r) => r.imageId === row.imageId)?.thumbnailUrl ?? null}
              onCancel={() => batch.cancelRow(row)}
              onRemove={() => batch.remove(row.key)}
              onOpenRun={(runId) => {
                close();
                onOpenRun(runId);
              }}
            />
          ))}
        </ul>
        {refusal && summary.ready > 0 && <p className="hint">{refusal}</p>}
        <div className="dialog-actions">
          {summary.ready > 0 && (
            <button
              type="button"
              className="primary"
              data-testid="batch-start"
              disabled={refusal !== null}
              onClick={() => batch.start(options)}
            >
              Start {summary.ready} photo{summary.ready === 1 ? '' : 's'}
            </button>
          )}
          {summary.active > 0 && (
            <button type="button" className="danger" data-testid="batch-cancel-all" onClick={batch.cancelAll}>
              Cancel all
            </button>
          )}
          {summary.total > summary.active && (
            <button
              type="button"
              data-testid="batch-clear"
              title="Take the photos that ended off the list"
              onClick={batch.clear}
            >
              Clear finished
            </button>
          )}
          <span className="spacer" />
          <button type="button" data-testid="batch-close" onClick={close}>
            Close
          </button>
        </div>
        {summary.active > 0 && (
          <p className="hint">
            Closing this panel (Escape) leaves the photos running; the Batch button in the toolbar opens it
            again.
          </p>
        )}
      </div>
    </Dialog>
  );
}

function BatchRowItem({
  row,
  thumbnail,
  onCancel,
  onRemove,
  onOpenRun,
}: {
  row: BatchRow;
  thumbnail: string | null;
  onCancel: () => void;
  onRemove: () => void;
  onOpenRun: (runId: number) => void;
}) {
  const status = rowStatus(row);
  const { state, percent, etaSeconds, runId } = status;
  return (
    <li
      className="batch-row"
      data-testid="batch-row"
      data-name={row.name}
      data-state={state}
      data-percent={percent === null ? undefined : Math.round(percent)}
    >
      <Thumbnail file={row.file} fallback={thumbnail} />
      <span className="batch-row-text">
        <span className="batch-row-name" title={row.name}>
          {row.name}
        </span>
        {row.options && <span className="hint">{batchOptionsLabel(row.options)}</span>}
        <span className={state === 'failed' ? 'error-text' : 'hint'} data-testid="batch-row-status">
          {status.text}
          {percent !== null && state === 'running' && ` · ${Math.round(percent)} %`}
          {etaSeconds !== null && state === 'running' && ` · about ${duration(etaSeconds)} left`}
        </span>
        {state === 'running' && (
          <progress max={100} value={percent ?? 0} aria-label={`Progress of ${row.name}`} />
        )}
      </span>
      {state === 'ready' && (
        <button type="button" data-testid="batch-row-remove" onClick={onRemove}>
          Remove
        </button>
      )}
      {(state === 'waiting' || state === 'running') && (
        <button type="button" data-testid="batch-row-cancel" disabled={status.cancelling} onClick={onCancel}>
          {status.cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
      {state === 'done' && runId !== null && (
        <button type="button" data-testid="batch-row-open" onClick={() => onOpenRun(runId)}>
          Open
        </button>
      )}
    </li>
  );
}

/** Types every browser shows in an <img>; a TIFF row has no thumbnail until the store has one. */
const SHOWN_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif'];

/**
 * The row's own file, shown as it is (nothing decoded by the studio), or the store's thumbnail of its photo; a
 * file the browser cannot show (not an image after all) leaves the place empty.
 */
function Thumbnail({ file, fallback }: { file: File | null; fallback: string | null }) {
  const ref = useRef<HTMLImageElement>(null);
  const [unreadable, setUnreadable] = useState(false);
  const own = file !== null && SHOWN_TYPES.includes(file.type) && !unreadable;
  useEffect(() => {
    const img = ref.current;
    if (!own || !img) return;
    const url = URL.createObjectURL(file);
    img.src = url;
    return () => URL.revokeObjectURL(url);
  }, [own, file]);
  if (!own && fallback === null) return <span className="batch-thumb thumb-missing" aria-hidden="true" />;
  return (
    <img
      ref={ref}
      className="batch-thumb"
      src={own ? undefined : (fallback ?? undefined)}
      alt=""
      width={40}
      height={40}
      decoding="async"
      onError={() => setUnreadable(true)}
    />
  );
}
