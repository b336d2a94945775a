import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Settings, StudioEvent } from '../../../src-shared/contract/api';
import type {
  LmFileInfo,
  LmLibraryView,
  LmModel,
  LmPartialDownload,
} from '../../../src-shared/contract/models';
import { isStudioError, StudioError } from '../errors';
import type { JobRegistry } from '../job-registry';
import { JobRunner, type JobContext } from '../jobs';
import {
  deleteLmDownload,
  deleteLmModel,
  findLmModelByPath,
  getLmModel,
  listLmDownloads,
  listLmModels,
  recordLmDownload,
  upsertLmModel,
  type LmDownloadRow,
  type LmModelRow,
} from '../store/lm-models';
import type { Db } from '../store/store';
import { inspectGguf, requireLlama2Gguf, type GgufInspection } from './gguf-info';
import { downloadPolicy } from './download-policy';
import { parseModelUri, resolveModelUrl } from './model-uri';
import { verifyDownload } from './verify-download';
import { defaultLmPath } from './models';
import { modelDownloader, runtimeDevice, type ModelDownloader } from './runtime';

export interface LmLibraryOptions {
  readonly db: Db;
  readonly dataDir: string;
  /** Where job events go (the engine's event stream). */
  readonly emit: (event: StudioEvent) => void;
  /** Where the downloads' snapshots are kept: the engine's registry, so listJobs lists them with its own jobs. */
  readonly registry?: JobRegistry;
  readonly settings: () => Settings;
  /** Saves the chosen file as the lmFile setting ('' for the bundled model), so restorations load it next. */
  readonly choose: (lmFile: string) => Promise<unknown>;
  readonly env?: NodeJS.ProcessEnv;
}

interface ActiveDownload {
  readonly jobId: string;
  paused: boolean;
}

/** Progress events at most this often: a fast download reports every 64 KB. */
const PROGRESS_INTERVAL_MS = 250;

/**
 * The language models the studio knows: the bundled GGUF (always listed), files imported from disk (kept where
 * they are, by reference), and files the studio downloaded or received from the browser (kept in the data
 * folder's models/). The chosen one is the lmFile setting, which restorations load.
 */
export class LmLibrary {
  /**
   * Downloads run as jobs of their own runner: the engine's runner counts jobs that use the loaded models, and a
   * download must not keep a newly chosen model from loading.
   */
  readonly jobs: JobRunner;
  private readonly active = new Map<string, ActiveDownload>();
  private readonly inspected = new Map<string, { key: string; inspection: GgufInspection | Error }>();

  constructor(private readonly options: LmLibraryOptions) {
    this.jobs = new JobRunner(options.emit, options.registry ? { registry: options.registry } : {});
    // An upload that did not finish cannot be continued after a restart: the browser starts over.
    const uploads = path.join(this.modelsDir, 'uploads');
    for (const entry of fs.existsSync(uploads) ? fs.readdirSync(uploads) : []) {
      const folder = path.join(uploads, entry);
      if (fs.readdirSync(folder).some((f) => f.endsWith('.part')))
        fs.rmSync(folder, { recursive: true, force: true });
    }
  }

  get modelsDir(): string {
    return path.join(this.options.dataDir, 'models');
  }

  async list(): Promise<LmLibraryView> {
    const { db } = this.options;
    const lmFile = this.options.settings().lmFile;
    // A file chosen before the library existed (or through updateSettings) becomes an entry of its own.
    if (lmFile && !findLmModelByPath(db, lmFile)) {
      const inspection = await inspectGguf(lmFile).catch(() => null);
      if (inspection?.vocabularyOk) this.record(lmFile, 'imported', false, null, inspection.info);
    }
    const models: LmModel[] = [await this.bundledModel(lmFile === '')];
    for (const row of listLmModels(db)) models.push(await this.rowModel(row, row.path === lmFile));
    const downloads = listLmDownloads(db).map((row) => this.partial(row));
    return {
      models,
      downloads,
      device: await runtimeDevice().catch((e: unknown) => `unavailable (${String(e)})`),
    };
  }

  /** Adds a GGUF from disk by reference after checking it; importing the same path again refreshes its entry. */
  async importFile(file: string): Promise<LmModel> {
    const absolute = path.resolve(file.trim());
    const { info } = await requireLlama2Gguf(absolute);
    const row = this.record(absolute, 'imported', false, null, info);
    return this.rowModel(row, this.options.settings().lmFile === row.path);
  }

  async uploadChunk(input: {
    uploadId: string;
    name: string;
    offset: number;
    total: number;
    base64: string;
  }): Promise<{ received: number; model: LmModel | null }> {
    const name = path.basename(input.name);
    if (!/\.gguf$/i.test(name)) {
      throw new StudioError('MODEL_INVALID', `${name} is not a .gguf file: pick a GGUF language model file.`);
    }
    const folder = path.join(this.modelsDir, 'uploads', input.uploadId);
    const part = path.join(folder, `${name}.part`);
    if (input.offset === 0) {
      fs.rmSync(folder, { recursive: true, force: true });
      checkUploadRoom(path.join(this.modelsDir, 'uploads'), input.total);
      fs.mkdirSync(folder, { recursive: true });
    }
    const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
    if (input.offset !== have) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `Upload ${input.uploadId} has ${have} bytes but a piece at ${input.offset} arrived: start the upload again.`,
      );
    }
    const bytes = Buffer.from(input.base64, 'base64');
    if (have + bytes.length > input.total) {
      fs.rmSync(folder, { recursive: true, force: true });
      throw new StudioError(
        'INVALID_ARGUMENT',
        `Upload ${input.uploadId} is longer than the ${input.total} bytes announced.`,
      );
    }
    if (input.offset === 0 && bytes.subarray(0, 4).toString('latin1') !== 'GGUF') {
      fs.rmSync(folder, { recursive: true, force: true });
      throw new StudioError('MODEL_INVALID', `${name} is not a GGUF file (it does not start with "GGUF").`);
    }
    fs.appendFileSync(part, bytes);
    const received = have + bytes.length;
    if (received < input.total) return { received, model: null };
    const file = path.join(folder, name);
    fs.renameSync(part, file);
    try {
      const { info } = await requireLlama2Gguf(file);
      const row = this.record(file, 'uploaded', true, null, info);
      return { received, model: await this.rowModel(row, false) };
    } catch (error) {
      fs.rmSync(folder, { recursive: true, force: true });
      throw error;
    }
  }

  async select(id: number): Promise<LmLibraryView> {
    if (id === 0) {
      await this.options.choose('');
      return this.list();
    }
    const row = this.row(id);
    // Checked again now: the file may have moved or changed since it was imported.
    await requireLlama2Gguf(row.path);
    await this.options.choose(row.path);
    return this.list();
  }

  async remove(id: number): Promise<LmLibraryView> {
    if (id === 0) throw new StudioError('INVALID_ARGUMENT', 'The bundled model cannot be removed.');
    const row = this.row(id);
    if (this.options.settings().lmFile === row.path) await this.options.choose('');
    deleteLmModel(this.options.db, id);
    this.inspected.delete(row.path);
    // Only files the studio made are deleted; an imported file is the user's and stays where it is.
    if (row.owned && isInside(this.modelsDir, row.path)) {
      fs.rmSync(path.dirname(row.path), { recursive: true, force: true });
    }
    return this.list();
  }

  startDownload(uri: string): { jobId: string } {
    const target = parseModelUri(uri);
    if (this.active.has(target.uri)) {
      throw new StudioError('BUSY', `${target.uri} is already downloading.`);
    }
    const { jobId, result } = this.jobs.start('download', (ctx) => this.download(target, ctx));
    const state: ActiveDownload = { jobId, paused: false };
    this.active.set(target.uri, state);
    const done = () => {
      if (this.active.get(target.uri) === state) this.active.delete(target.uri);
    };
    // The outcome reaches the renderer in the job's snapshot; nothing else awaits this promise.
    result.then(done, done);
    return { jobId };
  }

  pauseDownload(jobId: string): boolean {
    const state = [...this.active.values()].find((a) => a.jobId === jobId);
    if (!state) return false;
    state.paused = true;
    return this.jobs.cancel(jobId);
  }

  async discardDownload(uri: string): Promise<LmLibraryView> {
    const row = listLmDownloads(this.options.db).find((d) => d.uri === uri.trim());
    if (!row) throw new StudioError('NOT_FOUND', `No stopped download of ${uri}.`);
    if (this.active.has(row.uri)) {
      throw new StudioError('INVALID_ARGUMENT', `${row.uri} is downloading now: pause or cancel it first.`);
    }
    this.dropDownload(row.uri, row.folder);
    return this.list();
  }

  /** Stops every download, keeping what arrived so each resumes later (the studio is closing). */
  dispose(): void {
    for (const state of this.active.values()) state.paused = true;
    this.jobs.cancelAll();
  }

  /** The download folder of a URI: one per URI, so two repositories' model.gguf never meet and resumes find theirs. */
  downloadFolder(uri: string): string {
    return path.join(
      this.modelsDir,
      'downloads',
      createHash('sha256').update(uri).digest('hex').slice(0, 16),
    );
  }

  private async download(target: ReturnType<typeof parseModelUri>, ctx: JobContext): Promise<LmModel> {
    const { db } = this.options;
    ctx.progress(0, 1, `Connecting to ${target.host}…`);
    const resolved = await resolveModelUrl(
      target,
      ctx.signal,
      downloadPolicy(this.options.env ?? process.env),
    );
    const folder = this.downloadFolder(target.uri);
    fs.mkdirSync(folder, { recursive: true });
    let resumedFrom = 0;
    let lastReport = 0;
    let trailing: NodeJS.Timeout | undefined;
    const emit = (done: number, total: number) => {
      lastReport = performance.now();
      const resumed = resumedFrom > 0 ? ` (resumed at ${megabytes(resumedFrom)})` : '';
      try {
        ctx.progress(
          done - resumedFrom,
          Math.max(1, total - resumedFrom),
          `${megabytes(done)} of ${megabytes(total)}${resumed}`,
        );
      } catch {
        // A cancelled job throws from progress(); the download itself stops through the abort signal.
      }
    };
    const report = (done: number, total: number) => {
      clearTimeout(trailing);
      if (performance.now() - lastReport >= PROGRESS_INTERVAL_MS || done >= total) emit(done, total);
      // The last figure of a burst still arrives, even when the transfer then stalls.
      else trailing = setTimeout(() => emit(done, total), PROGRESS_INTERVAL_MS);
    };
    let downloader: ModelDownloader | null = null;
    try {
      downloader = await whenNotAborted(
        modelDownloader({
          // Straight to where the checked redirects led; the file keeps the name the user's address gave it.
          uri: resolved?.url ?? target.uri,
          ...(resolved ? { fileName: fileNameOf(target.uri) } : {}),
          folder,
          onProgress: report,
        }),
        ctx.signal,
        (late) => void late.cancel(),
      );
      recordLmDownload(db, {
        uri: target.uri,
        folder,
        fileName: downloader.entrypointFilename,
        totalBytes: downloader.totalSize,
      });
      resumedFrom = downloader.downloadedSize;
      await downloader.download({ signal: ctx.signal });
    } catch (error) {
      if (!ctx.signal.aborted) {
        if (downloader === null) fs.rmSync(folder, { recursive: true, force: true });
        throw new StudioError(
          'NOT_FOUND',
          `The download of ${target.uri} stopped: ${error instanceof Error ? error.message : String(error)}.` +
            (downloader === null
              ? ''
              : ' What arrived is kept: download the same URI again to resume, or discard it.'),
          { cause: error },
        );
      }
    }
    clearTimeout(trailing);
    if (ctx.signal.aborted || downloader === null) {
      if (downloader !== null && this.active.get(target.uri)?.paused === true) {
        throw new StudioError(
          'JOB_CANCELLED',
          `Download paused at ${megabytes(downloader.downloadedSize)} of ${megabytes(downloader.totalSize)}: ` +
            'download the same URI again to resume.',
        );
      }
      this.dropDownload(target.uri, folder);
      throw new StudioError('JOB_CANCELLED', 'The download was cancelled and its partial file deleted.');
    }
    const file = downloader.entrypointFilePath;
    try {
      await verifyDownload(file, resolved, target.uri);
      const { info } = await requireLlama2Gguf(file);
      deleteLmDownload(db, target.uri);
      const row = this.record(file, 'downloaded', true, target.uri, info);
      return await this.rowModel(row, this.options.settings().lmFile === file);
    } catch (error) {
      this.dropDownload(target.uri, folder);
      if (isStudioError(error) && error.code === 'MODEL_INVALID') {
        throw new StudioError(
          'MODEL_INVALID',
          `Downloaded ${target.uri}, but it cannot be used and was deleted: ${error.message}`,
        );
      }
      throw error;
    }
  }

  private dropDownload(uri: string, folder: string): void {
    deleteLmDownload(this.options.db, uri);
    if (isInside(this.modelsDir, folder)) fs.rmSync(folder, { recursive: true, force: true });
  }

  private record(
    file: string,
    source: LmModelRow['source'],
    owned: boolean,
    uri: string | null,
    info: LmFileInfo,
  ): LmModelRow {
    return upsertLmModel(this.options.db, {
      path: file,
      source,
      owned,
      uri,
      bytes: fs.statSync(file).size,
      info,
    });
  }

  private row(id: number): LmModelRow {
    const row = getLmModel(this.options.db, id);
    if (!row) throw new StudioError('NOT_FOUND', `No language model with id ${id}: it was removed.`);
    return row;
  }

  /** Inspects a file once per size and modification time: headers of large models take a moment to read. */
  private async inspect(file: string): Promise<GgufInspection | Error> {
    let key: string;
    try {
      const stat = fs.statSync(file);
      key = `${stat.size}:${stat.mtimeMs}`;
    } catch {
      return new StudioError(
        'FILE_NOT_FOUND',
        `${file} is gone (moved or deleted): import it again from its new place, or remove this entry.`,
      );
    }
    const cached = this.inspected.get(file);
    if (cached?.key === key) return cached.inspection;
    const inspection = await inspectGguf(file).catch((error: unknown) =>
      error instanceof Error ? error : new Error(String(error)),
    );
    this.inspected.set(file, { key, inspection });
    return inspection;
  }

  private async bundledModel(selected: boolean): Promise<LmModel> {
    let file = '';
    try {
      file = defaultLmPath(this.options.env);
    } catch (error) {
      return this.model(
        0,
        'bundled',
        file,
        selected,
        error instanceof Error ? error : new Error(String(error)),
      );
    }
    return this.model(0, 'bundled', file, selected, await this.inspect(file));
  }

  private async rowModel(row: LmModelRow, selected: boolean): Promise<LmModel> {
    const inspection = await this.inspect(row.path);
    return {
      ...this.model(row.id, row.source, row.path, selected, inspection),
      uri: row.uri,
      addedAt: row.addedAt,
    };
  }

  private model(
    id: number,
    source: LmModel['source'],
    file: string,
    selected: boolean,
    inspection: GgufInspection | Error,
  ): LmModel {
    const failed = inspection instanceof Error;
    return {
      id,
      source,
      file,
      bytes: file && fs.existsSync(file) ? fs.statSync(file).size : 0,
      info: failed ? null : inspection.info,
      vocabularyOk: !failed && inspection.vocabularyOk,
      problem: failed ? inspection.message : inspection.problem,
      selected,
      uri: null,
      addedAt: null,
    };
  }

  private partial(row: LmDownloadRow): LmPartialDownload {
    return {
      uri: row.uri,
      fileName: row.fileName,
      downloadedBytes: completedBytes(path.join(row.folder, `${row.fileName}.ipull`), row.totalBytes),
      totalBytes: row.totalBytes,
      jobId: this.active.get(row.uri)?.jobId ?? null,
    };
  }
}

/** The largest model file accepted from the browser: the biggest GGUFs published are a few hundred GB. */
const MAX_UPLOAD_BYTES = 512e9;
/** Uploads received at once; each holds a file growing on disk. */
const MAX_UPLOADS_AT_ONCE = 2;
/** An upload that sent nothing for this long was abandoned by its browser tab; its room is given back. */
const UPLOAD_IDLE_MS = 10 * 60 * 1000;

/**
 * Refuses a new upload the disk cannot hold or that would exceed the uploads in progress; drops abandoned ones.
 * The announced total is checked before the first byte is kept, so a client cannot fill the disk by announcing 1e15.
 */
function checkUploadRoom(uploadsDir: string, total: number): void {
  if (total > MAX_UPLOAD_BYTES) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `An upload of ${megabytes(total)} is larger than any model file accepted (${megabytes(MAX_UPLOAD_BYTES)}).`,
    );
  }
  fs.mkdirSync(uploadsDir, { recursive: true });
  let inProgress = 0;
  for (const entry of fs.readdirSync(uploadsDir)) {
    const folder = path.join(uploadsDir, entry);
    const parts = fs.readdirSync(folder).filter((f) => f.endsWith('.part'));
    if (parts.length === 0) continue;
    const lastWrite = Math.max(...parts.map((f) => fs.statSync(path.join(folder, f)).mtimeMs));
    if (Date.now() - lastWrite > UPLOAD_IDLE_MS) fs.rmSync(folder, { recursive: true, force: true });
    else inProgress++;
  }
  if (inProgress >= MAX_UPLOADS_AT_ONCE) {
    throw new StudioError(
      'BUSY',
      `${inProgress} model uploads are in progress: wait for them to finish, then upload this one.`,
    );
  }
  const disk = fs.statfsSync(uploadsDir);
  const free = disk.bavail * disk.bsize;
  if (total > free) {
    throw new StudioError(
      'FILE_UNWRITABLE',
      `An upload of ${megabytes(total)} does not fit: the data folder's disk has ${megabytes(free)} free.`,
    );
  }
}

/**
 * Bytes a stopped download will not fetch again. The downloader (ipull) keeps its progress as JSON after the
 * file's last byte: the chunk size and each chunk's state, 2 meaning written. Anything unreadable counts as 0.
 */
function completedBytes(progressFile: string, totalBytes: number): number {
  try {
    const size = fs.statSync(progressFile).size;
    if (size <= totalBytes) return 0;
    const fd = fs.openSync(progressFile, 'r');
    const tail = Buffer.alloc(size - totalBytes);
    try {
      fs.readSync(fd, tail, 0, tail.length, totalBytes);
    } finally {
      fs.closeSync(fd);
    }
    const progress = JSON.parse(tail.toString('utf8')) as { chunkSize?: unknown; chunks?: unknown };
    if (typeof progress.chunkSize !== 'number' || !Array.isArray(progress.chunks)) return 0;
    const chunkSize = progress.chunkSize;
    return progress.chunks.reduce<number>(
      (sum, state, i) =>
        state === 2 ? sum + Math.max(0, Math.min(chunkSize, totalBytes - i * chunkSize)) : sum,
      0,
    );
  } catch {
    return 0;
  }
}

/**
 * Awaits `work` unless `signal` aborts first. Creating a downloader cannot be cancelled (it asks the server for
 * the file's size, with retries), so a late result is handed to `dispose`.
 */
async function whenNotAborted<T>(
  work: Promise<T>,
  signal: AbortSignal,
  dispose: (late: T) => void,
): Promise<T> {
  if (signal.aborted) throw new StudioError('JOB_CANCELLED', 'The download was cancelled.');
  const listeners: (() => void)[] = [];
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(new StudioError('JOB_CANCELLED', 'The download was cancelled.'));
    listeners.push(onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } catch (error) {
    // The race lost to the abort: whatever `work` yields later is disposed of.
    work.then(dispose, () => undefined);
    throw error;
  } finally {
    for (const onAbort of listeners) signal.removeEventListener('abort', onAbort);
  }
}

/** The last path segment of a model address (…/name.gguf, hf:user/repo/name.gguf), decoded. */
function fileNameOf(uri: string): string {
  const last = uri.split('#')[0]?.split('?')[0]?.split('/').at(-1) ?? 'model.gguf';
  try {
    return path.basename(decodeURIComponent(last));
  } catch {
    return path.basename(last);
  }
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
