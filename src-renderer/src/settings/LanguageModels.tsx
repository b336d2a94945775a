import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import type { ErrorPayload } from '../../../src-shared/contract/errors';
import { jobEnded } from '../../../src-shared/contract/jobs';
import type { LmLibraryView, LmModel } from '../../../src-shared/contract/models';
import { studio } from '../api/client';
import { errorPayloadOf } from '../api/studioError';
import { useJobFollower, type JobFollowerAction, type JobPick } from '../api/useJobFollower';
import './language-models.css';

/** Bytes per upload request in the browser: 8 MB of file, about 11 MB of base64. */
const UPLOAD_PIECE = 8 * 1024 * 1024;

interface Transfer {
  readonly kind: 'download' | 'upload';
  readonly jobId: string | null;
  readonly label: string;
  readonly step: number;
  readonly of: number;
  readonly message: string;
  readonly etaSeconds?: number;
}

type Notice = { readonly tone: 'ok' | 'error'; readonly text: string } | null;

/**
 * Settings' "Language model" section: the GGUFs the studio knows, each with what its header says and whether its
 * vocabulary is LLaMA-2's; import from disk (picker, path, drop), download from a model URI with progress, and the
 * choice restorations use. Talks to the engine directly, so a choice takes effect without the dialog's Save.
 */
export function LanguageModels() {
  const [view, setView] = useState<LmLibraryView | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const [pathText, setPathText] = useState('');
  const [uri, setUri] = useState('');
  const [transfer, setTransfer] = useState<Transfer | null>(null);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const downloadJob = useRef<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      setView(await studio.listLms());
    } catch (error) {
      setNotice({ tone: 'error', text: errorPayloadOf(error).message });
    }
  }, []);

  useEffect(() => {
    let live = true;
    studio.listLms().then(
      (loaded) => live && setView(loaded),
      (error: unknown) => live && setNotice({ tone: 'error', text: errorPayloadOf(error).message }),
    );
    return () => {
      live = false;
    };
  }, []);

  /** The download this section started or took up: its snapshots move the bar, and its end says how it went. */
  const followDownload = useCallback(
    (action: JobFollowerAction) => {
      const job =
        action.type === 'resume'
          ? action.snapshot
          : action.event.type === 'job.snapshot'
            ? action.event.snapshot
            : null;
      if (job === null) return;
      if (action.type === 'resume' && downloadJob.current === null) downloadJob.current = job.jobId;
      if (job.jobId !== downloadJob.current) return;
      if (!jobEnded(job)) {
        const { progress } = job;
        setTransfer((t) => ({
          kind: 'download',
          jobId: job.jobId,
          // A download taken up after a reload is named by the library's entry for it (see the render).
          label: t?.label ?? '',
          step: progress?.step ?? 0,
          of: progress?.of ?? 1,
          message: progress?.message ?? 'Starting…',
          ...(progress?.etaSeconds === undefined ? {} : { etaSeconds: progress.etaSeconds }),
        }));
        return;
      }
      downloadJob.current = null;
      setTransfer(null);
      setNotice(
        job.state === 'done'
          ? { tone: 'ok', text: 'Downloaded and checked: the model is listed above.' }
          : failureNotice(job.error ?? { code: 'INTERNAL', message: 'The download stopped.' }),
      );
      void refresh();
    },
    [refresh],
  );
  useJobFollower(followDownload, runningDownload);

  /** Runs one library action; its error, with the engine's cause and fix, shows under the list. */
  const act = async (work: () => Promise<string | null>) => {
    setBusy(true);
    setNotice(null);
    try {
      const done = await work();
      if (done) setNotice({ tone: 'ok', text: done });
    } catch (error) {
      setNotice({ tone: 'error', text: errorPayloadOf(error).message });
    } finally {
      setBusy(false);
      await refresh();
    }
  };

  const importFile = (file: File) =>
    act(async () => {
      // In the desktop app a picked or dropped file has a path: it is imported where it lies. A browser only has the
      // bytes, which are sent in pieces and kept in the studio's data folder.
      const local = studio.lmFilePath?.(file) ?? '';
      if (local) return imported(await studio.importLm({ path: local }));
      const uploadId = crypto.randomUUID();
      let model: LmModel | null = null;
      try {
        for (let offset = 0; offset < file.size || offset === 0; offset += UPLOAD_PIECE) {
          const piece = file.slice(offset, offset + UPLOAD_PIECE);
          setTransfer({
            kind: 'upload',
            jobId: null,
            label: `Sending ${file.name}`,
            step: offset,
            of: file.size,
            message: `${megabytes(offset)} of ${megabytes(file.size)}`,
          });
          ({ model } = await studio.uploadLmChunk({
            uploadId,
            name: file.name,
            offset,
            total: file.size,
            base64: await blobToBase64(piece),
          }));
        }
      } finally {
        setTransfer(null);
      }
      return model ? imported(model) : null;
    });

  const startDownload = (target: string) =>
    act(async () => {
      const { jobId } = await studio.startLmDownload({ uri: target });
      downloadJob.current = jobId;
      setTransfer({ kind: 'download', jobId, label: target, step: 0, of: 1, message: 'Starting…' });
      return null;
    });

  const onDrop = (event: DragEvent) => {
    // The window opens dropped photos; a GGUF dropped here is a model, and stops here.
    event.preventDefault();
    event.stopPropagation();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (!file) return;
    if (!file.name.toLowerCase().endsWith('.gguf')) {
      setNotice({
        tone: 'error',
        text: `${file.name} is not a .gguf file: drop a GGUF language model here.`,
      });
      return;
    }
    void importFile(file);
  };

  const downloading = transfer?.kind === 'download';
  return (
    <section
      className={`lm-section${dragging ? ' dragging' : ''}`}
      aria-labelledby="lm-heading"
      data-testid="lm-section"
      onDragOver={(event) => {
        event.preventDefault();
        event.stopPropagation();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <h3 id="lm-heading">Language model</h3>
      <p className="hint">
        Any GGUF with LLaMA-2&apos;s vocabulary works (LLaMA-2, TinyLlama, Vicuna, …): image words are LLaMA-2
        token ids, so each file&apos;s token table is compared with LLaMA-2&apos;s before it is listed.{' '}
        <span data-testid="lm-device">Runs on: {view?.device ?? '…'} (GPU offload is automatic).</span>
      </p>
      <ul className="lm-list" aria-label="Language models" data-testid="lm-list">
        {view?.models.map((model) => (
          <ModelItem
            key={model.id}
            model={model}
            busy={busy}
            onUse={() =>
              void act(
                async () => (
                  await studio.selectLm({ id: model.id }),
                  `Restorations now use ${title(model)}.`
                ),
              )
            }
            onRemove={() =>
              void act(async () => {
                await studio.removeLm({ id: model.id });
                return model.source === 'imported'
                  ? `Removed ${title(model)} from the list; the file stays at ${model.file}.`
                  : `Removed ${title(model)} and deleted the studio's copy.`;
              })
            }
          />
        ))}
      </ul>

      <div className="lm-actions">
        <button
          type="button"
          disabled={busy}
          data-testid="lm-import"
          onClick={() => fileInput.current?.click()}
        >
          Import GGUF…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".gguf"
          hidden
          data-testid="lm-file-input"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void importFile(file);
          }}
        />
        <span className="hint">or drop a .gguf file on this section</span>
      </div>
      <form
        className="lm-row"
        onSubmit={(event) => {
          event.preventDefault();
          if (pathText.trim())
            void act(async () => imported(await studio.importLm({ path: pathText.trim() })));
        }}
      >
        <label htmlFor="lm-path">Path on this computer</label>
        <input
          id="lm-path"
          type="text"
          value={pathText}
          placeholder="/models/llama-2-7b.Q4_K_M.gguf"
          spellCheck={false}
          data-testid="lm-path"
          onChange={(event) => setPathText(event.target.value)}
        />
        <button type="submit" disabled={busy || !pathText.trim()} data-testid="lm-import-path">
          Import path
        </button>
      </form>
      <form
        className="lm-row"
        onSubmit={(event) => {
          event.preventDefault();
          if (uri.trim()) void startDownload(uri.trim());
        }}
      >
        <label htmlFor="lm-uri">Model URI</label>
        <input
          id="lm-uri"
          type="text"
          value={uri}
          placeholder="hf:user/repo/model.Q4_K_M.gguf or https://…/model.gguf"
          spellCheck={false}
          data-testid="lm-uri"
          onChange={(event) => setUri(event.target.value)}
        />
        <button type="submit" disabled={busy || downloading || !uri.trim()} data-testid="lm-download">
          Download
        </button>
      </form>

      {transfer && (
        <div className="lm-progress" data-testid="lm-progress">
          <label htmlFor="lm-progress-bar">
            {transfer.label || view?.downloads.find((d) => d.jobId === transfer.jobId)?.uri || 'Downloading'}
          </label>
          <progress id="lm-progress-bar" max={Math.max(1, transfer.of)} value={transfer.step} />
          <span className="hint" role="status">
            {transfer.message}
            {transfer.etaSeconds !== undefined && ` · ${eta(transfer.etaSeconds)} left`}
          </span>
          {transfer.kind === 'download' && transfer.jobId && (
            <span className="lm-buttons">
              <button
                type="button"
                data-testid="lm-pause"
                onClick={() => void studio.pauseLmDownload({ jobId: transfer.jobId ?? '' })}
              >
                Pause
              </button>
              <button
                type="button"
                data-testid="lm-cancel"
                onClick={() => void studio.cancelJob({ jobId: transfer.jobId ?? '' })}
              >
                Cancel
              </button>
            </span>
          )}
        </div>
      )}

      {view && view.downloads.some((d) => d.jobId === null) && (
        <ul className="lm-list" aria-label="Stopped downloads" data-testid="lm-partials">
          {view.downloads
            .filter((d) => d.jobId === null)
            .map((d) => (
              <li key={d.uri} className="lm-item">
                <strong>{d.fileName}</strong>{' '}
                <span className="hint">
                  stopped at {megabytes(d.downloadedBytes)} of {megabytes(d.totalBytes)} · {d.uri}
                </span>
                <span className="lm-buttons">
                  <button
                    type="button"
                    disabled={busy || downloading}
                    onClick={() => void startDownload(d.uri)}
                  >
                    Resume
                  </button>
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() =>
                      void act(async () => (await studio.discardLmDownload({ uri: d.uri }), null))
                    }
                  >
                    Discard
                  </button>
                </span>
              </li>
            ))}
        </ul>
      )}

      {notice && (
        <p
          className={notice.tone === 'error' ? 'error-text' : 'hint'}
          role={notice.tone === 'error' ? 'alert' : 'status'}
          data-testid="lm-message"
        >
          {notice.text}
        </p>
      )}
    </section>
  );
}

function ModelItem({
  model,
  busy,
  onUse,
  onRemove,
}: {
  readonly model: LmModel;
  readonly busy: boolean;
  readonly onUse: () => void;
  readonly onRemove: () => void;
}) {
  const { info } = model;
  const headingId = `lm-model-${model.id}`;
  return (
    <li
      className={`lm-item${model.selected ? ' selected' : ''}`}
      aria-labelledby={headingId}
      data-testid="lm-item"
      data-lm-id={model.id}
      data-selected={model.selected}
    >
      <div className="lm-title">
        <strong id={headingId}>{title(model)}</strong>
        <span className="lm-badge">{SOURCE_LABEL[model.source]}</span>
        {model.selected && <span className="lm-badge in-use">In use</span>}
      </div>
      {info && (
        <div className="lm-facts" data-testid="lm-facts">
          {megabytes(model.bytes)} · {info.quantisation} · {info.architecture} ·{' '}
          {info.parameters === null ? 'parameters unknown' : `${parameterCount(info.parameters)} parameters`}{' '}
          ·{' '}
          {info.contextLength === null
            ? 'context unknown'
            : `context ${info.contextLength.toLocaleString('en')}`}
        </div>
      )}
      <div className={model.vocabularyOk ? 'lm-vocab ok' : 'lm-vocab error-text'} data-testid="lm-vocab">
        {model.vocabularyOk ? '✓ LLaMA-2 vocabulary (32,000 tokens match)' : model.problem}
      </div>
      <div className="hint lm-file" title={model.file}>
        {model.uri ?? model.file}
      </div>
      <div className="lm-buttons">
        <button
          type="button"
          disabled={busy || model.selected || !model.vocabularyOk}
          aria-describedby={headingId}
          data-testid="lm-use"
          onClick={onUse}
        >
          {model.selected ? 'In use' : 'Use this model'}
        </button>
        {model.source !== 'bundled' && (
          <button
            type="button"
            disabled={busy}
            aria-describedby={headingId}
            data-testid="lm-remove"
            onClick={onRemove}
          >
            {model.source === 'imported' ? 'Remove from list' : 'Remove and delete copy'}
          </button>
        )}
      </div>
    </li>
  );
}

const SOURCE_LABEL: Readonly<Record<LmModel['source'], string>> = {
  bundled: 'bundled',
  imported: 'imported',
  downloaded: 'downloaded',
  uploaded: 'uploaded',
};

const title = (model: LmModel) => model.info?.name ?? model.file.split(/[\\/]/).pop() ?? model.file;

const imported = (model: LmModel) =>
  `Imported ${title(model)}: LLaMA-2 vocabulary checked. Choose "Use this model" to restore with it.`;

/** A download still running when the section opens (it was started before a reload): taken up, with its bar. */
const runningDownload: JobPick = (jobs) => jobs.find((j) => j.kind === 'download' && !jobEnded(j));

function failureNotice(error: ErrorPayload): Notice {
  return { tone: error.code === 'JOB_CANCELLED' ? 'ok' : 'error', text: error.message };
}

function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function parameterCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  return `${(n / 1e3).toFixed(0)} K`;
}

function eta(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  // Chunked to stay under the argument-count limit of String.fromCharCode.
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
