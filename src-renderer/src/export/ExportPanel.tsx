import { useEffect, useState } from 'react';
import type { ErrorPayload } from '../../../src-shared/contract/errors';
import {
  EXPORT_ITEMS,
  type ExportFormat,
  type ExportItem,
  type ExportRequest,
  type ExportResult,
} from '../../../src-shared/contract/export';
import type { RunTiles } from '../../../src-shared/contract/restore';
import { studio } from '../api/client';
import { errorPayloadOf } from '../api/studioError';
import { saveAsDownload } from './download';
import { exportFormatFor } from './export-format';

const ITEM_LABEL: Readonly<Record<ExportItem, string>> = {
  image: 'Restored image',
  'grids-json': 'Token grids (JSON)',
  'grids-csv': 'Token grids (CSV)',
  'grids-png': 'Token grids (PNG)',
  sheet: 'Comparison sheet (PNG)',
  record: 'Run record (JSON)',
};

/** What each item holds of a run restored tile by tile: every tile, or the one the results show. */
function tiledItemLabel(item: ExportItem, tiles: RunTiles): string {
  const shown = `tile ${tiles.index + 1}`;
  switch (item) {
    case 'grids-json':
      return `Token grids (JSON, all ${tiles.count} tiles)`;
    case 'grids-csv':
      return `Token grids (CSV, all ${tiles.count} tiles)`;
    case 'grids-png':
      return `Token grids (PNG, ${shown})`;
    case 'sheet':
      return `Comparison sheet (PNG, the photo and ${shown})`;
    default:
      return ITEM_LABEL[item];
  }
}

type Outcome =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'exists'; error: ErrorPayload; request: ExportRequest }
  /** `downloaded`: the name the browser was offered the files under (browser only). */
  | { kind: 'done'; result: ExportResult; downloaded?: string }
  | { kind: 'cancelled' }
  | { kind: 'failed'; error: ErrorPayload };

interface ExportPanelProps {
  readonly runId: number;
  /** Whether the run has an image at the photo's size: a repair pasted back, or a full-resolution result. */
  readonly hasPhoto: boolean;
  /** A full-resolution run's tiles, with the one the results show, which the per-tile items export. */
  readonly tiles: RunTiles | null;
  /** The format of the run's photo (as the engine names it), which the restored image keeps by default. */
  readonly photoFormat?: string | undefined;
}

/**
 * Writes a run's image, grids, sheet and record; asks before replacing files that exist. The desktop app asks
 * where to save with its native dialog (and asks about replacing there); the browser writes to the data folder
 * and downloads the same files (one file as itself, several as one zip).
 */
export function ExportPanel({ runId, hasPhoto, tiles, photoFormat }: ExportPanelProps) {
  const [items, setItems] = useState<ReadonlySet<ExportItem>>(new Set(EXPORT_ITEMS));
  const [format, setFormat] = useState<ExportFormat>(exportFormatFor(photoFormat));
  const [quality, setQuality] = useState(92);
  const [source, setSource] = useState<'view' | 'photo'>(hasPhoto ? 'photo' : 'view');
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const [nativeDialogs, setNativeDialogs] = useState(false);

  useEffect(() => {
    let current = true;
    void studio.appInfo().then((info) => {
      if (current) setNativeDialogs(info.nativeDialogs);
    });
    return () => {
      current = false;
    };
  }, []);

  const send = async (request: ExportRequest) => {
    setOutcome({ kind: 'busy' });
    try {
      if (nativeDialogs) {
        const result = await studio.exportWithDialog(request);
        setOutcome(result ? { kind: 'done', result } : { kind: 'cancelled' });
      } else {
        const result = await studio.exportForDownload(request);
        setOutcome({ kind: 'done', result, downloaded: saveAsDownload(runId, result.downloads) });
      }
    } catch (cause) {
      const error = errorPayloadOf(cause);
      setOutcome(
        error.code === 'OUTPUT_EXISTS' ? { kind: 'exists', error, request } : { kind: 'failed', error },
      );
    }
  };

  const toggle = (item: ExportItem, on: boolean) => {
    const next = new Set(items);
    if (on) next.add(item);
    else next.delete(item);
    setItems(next);
  };

  return (
    <section className="export-panel" aria-labelledby="export-title" data-testid="export-panel">
      <h3 id="export-title">Export</h3>
      <fieldset>
        <legend>What</legend>
        {EXPORT_ITEMS.map((item) => (
          <label key={item} className="check">
            <input
              type="checkbox"
              checked={items.has(item)}
              onChange={(e) => toggle(item, e.target.checked)}
            />
            {tiles ? tiledItemLabel(item, tiles) : ITEM_LABEL[item]}
          </label>
        ))}
      </fieldset>
      <div className="field-row">
        <label>
          Image format
          <select
            value={format}
            onChange={(e) => setFormat(e.target.value as ExportFormat)}
            data-testid="export-format"
          >
            <option value="png">PNG</option>
            <option value="jpeg">JPEG</option>
            <option value="webp">WebP</option>
          </select>
        </label>
        <label>
          Quality
          <input
            type="number"
            min={1}
            max={100}
            value={quality}
            disabled={format === 'png'}
            data-testid="export-quality"
            title="JPEG and WebP quality, 1 (smallest file) to 100 (best)"
            onChange={(e) => setQuality(Math.max(1, Math.min(100, Math.round(Number(e.target.value) || 92))))}
          />
        </label>
        <label>
          Image
          <select
            value={source}
            data-testid="export-source"
            onChange={(e) => setSource(e.target.value as 'view' | 'photo')}
          >
            <option value="photo" disabled={!hasPhoto}>
              {tiles ? `At the photo's own size (all ${tiles.count} tiles)` : 'Pasted into the photo'}
            </option>
            <option value="view">
              {tiles ? `Tile ${tiles.index + 1}'s 128 px view` : 'The 128 px view'}
            </option>
          </select>
        </label>
      </div>
      <button
        type="button"
        className="primary"
        data-testid="export-button"
        data-native-dialog={nativeDialogs ? 'true' : 'false'}
        title={
          nativeDialogs
            ? 'Choose where to save'
            : 'Download, and keep a copy in the exports folder of the data folder'
        }
        disabled={items.size === 0 || outcome.kind === 'busy'}
        onClick={() =>
          void send({
            runId,
            items: [...items],
            format,
            ...(format === 'png' ? {} : { quality }),
            source,
            ...(tiles ? { tile: tiles.index } : {}),
          })
        }
      >
        {outcome.kind === 'busy' ? 'Exporting…' : nativeDialogs ? 'Export…' : 'Export'}
      </button>
      {outcome.kind === 'exists' && (
        <div
          className="confirm"
          role="alertdialog"
          aria-label="Replace existing files?"
          data-testid="export-exists"
        >
          <p>{outcome.error.message}</p>
          <button
            type="button"
            data-testid="export-overwrite"
            onClick={() => void send({ ...outcome.request, overwrite: true })}
          >
            Replace them
          </button>
          <button type="button" onClick={() => setOutcome({ kind: 'idle' })}>
            Keep them
          </button>
        </div>
      )}
      {outcome.kind === 'cancelled' && (
        <p className="hint" role="status" data-testid="export-cancelled">
          Nothing was exported.
        </p>
      )}
      {outcome.kind === 'failed' && (
        <p className="error-text" role="alert">
          {outcome.error.message}
        </p>
      )}
      {outcome.kind === 'done' && (
        <div data-testid="export-done" role="status">
          {outcome.downloaded && <p data-testid="export-downloaded">Downloaded as {outcome.downloaded}.</p>}
          <p>
            {outcome.downloaded ? 'A copy is in' : 'Written to'} {outcome.result.folder}:
          </p>
          <ul className="file-list">
            {outcome.result.files.map((f) => (
              <li key={f.path} data-path={f.path}>
                {f.name} <span className="hint">({Math.max(1, Math.round(f.bytes / 1024))} KB)</span>
              </li>
            ))}
          </ul>
          {outcome.result.notes.map((n) => (
            <p key={n} className="hint">
              {n}
            </p>
          ))}
        </div>
      )}
    </section>
  );
}
