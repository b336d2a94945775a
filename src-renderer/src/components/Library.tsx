import type { ImageSummary, SampleInfo } from '../../../src-shared/contract/api';
import type { RunSummary } from '../../../src-shared/contract/restore';
import { HistoryList } from '../results/HistoryList';

interface LibraryProps {
  readonly samples: readonly SampleInfo[];
  readonly recent: readonly ImageSummary[];
  readonly onSample: (id: string) => void;
  readonly onRecent: (imageId: number) => void;
  readonly runs: readonly RunSummary[];
  readonly currentRun: number | null;
  readonly onRun: (runId: number) => void;
}

export function Library({ samples, recent, onSample, onRecent, runs, currentRun, onRun }: LibraryProps) {
  return (
    <nav className="library" aria-label="Library">
      <h2>Samples</h2>
      <ul>
        {samples.map((sample) => (
          <li key={sample.id}>
            <button
              type="button"
              data-testid={`sample-${sample.id}`}
              title={`${sample.licence} — ${sample.attribution}`}
              onClick={() => onSample(sample.id)}
            >
              {sample.name}
            </button>
          </li>
        ))}
      </ul>
      <h2>Recent</h2>
      {recent.length === 0 ? (
        <p className="hint">Photos you open appear here.</p>
      ) : (
        <ul className="recent">
          {recent.map((item) => (
            <li key={item.imageId}>
              <button type="button" onClick={() => onRecent(item.imageId)} title={item.name}>
                <img src={item.thumbnailUrl} alt="" width={48} height={48} />
                <span>{item.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <h2>Runs</h2>
      <HistoryList runs={runs} onOpen={onRun} current={currentRun} />
    </nav>
  );
}
