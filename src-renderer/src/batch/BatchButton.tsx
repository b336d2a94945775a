import { summaryText, type BatchSummary } from './batch-queue';

/** The toolbar's way back to the batch panel while it has photos: how far the batch is, at a glance. */
export function BatchButton({ summary, onOpen }: { summary: BatchSummary; onOpen: () => void }) {
  if (summary.total + summary.ready === 0) return null;
  const running = summary.active > 0;
  return (
    <button
      type="button"
      className={running ? 'batch-button running' : 'batch-button'}
      data-testid="batch-button"
      data-active={running}
      title="Open the batch panel"
      onClick={onOpen}
    >
      Batch: {summary.total === 0 ? `${summary.ready} ready` : summaryText(summary)}
    </button>
  );
}
