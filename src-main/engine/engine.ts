import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type {
  AppInfo,
  ImageSummary,
  OpenedImage,
  SampleInfo,
  Settings,
  StudioApi,
  StudioEvent,
} from '../../src-shared/contract/api';
import { StudioError } from './errors';
import { exportForDownload, exportRun, modelInfo, type ExportTarget } from './export';
import type {
  DownloadResult,
  ExportRequest,
  ExportResult,
  ModelInfo,
} from '../../src-shared/contract/export';
import type { RgbImage } from './image/types';
import type { RestoreRequest, RunSummary, RunView } from '../../src-shared/contract/restore';
import type { AskAvailability, AskRequest } from '../../src-shared/contract/ask';
import { JobRegistry } from './job-registry';
import { JobRunner } from './jobs';
import { LmSpeedStore } from './estimate/lm-speed';
import { Estimator } from './estimate/restore-estimate';
import type { RestoreEstimate } from '../../src-shared/contract/estimate';
import type { JobSnapshot } from '../../src-shared/contract/jobs';
import type { AsciiBytes } from '../../src-shared/contract/validate';
import { checkLlama2Gguf } from './llm/frozen-lm';
import { LmLibrary } from './llm/library';
import type {
  LmLibraryView,
  LmModel,
  LmServerStatus,
  TokenizerPackInfo,
} from '../../src-shared/contract/models';
import { ModelSet } from './restore/models';
import { RemoteLm } from './llm/remote-lm';
import { checkRequestComplexity } from './restore/complexity';
import { openImageOffThread } from './workers/image-pool';
import type { ImageSource, OpenedPixels } from './workers/image-ops';
import { runRestoreJob } from './restore/restore-job';
import { getRunViewAt, runSummaries } from './restore/run-view';
import { readManifest } from './tokenizer/manifest';
import { chosenPackDir, listInstalledPacks } from './tokenizer/packs';
import { tokenText } from './tokenizer/vocabulary';
import { SampleLibrary } from './samples';
import { AskService } from './understand/service';
import { readEdits, saveEdits } from './store/edits';
import { getImage, recentImages, upsertImage } from './store/images';
import { removeLeftovers } from './store/leftovers';
import { failInterruptedRuns } from './store/runs';
import { readSettings, writeSettings } from './store/settings';
import { openDatabase, type Db } from './store/store';

/** Long side of the photo the renderer displays; the engine keeps the full-resolution pixels. */
export const DISPLAY_MAX_SIDE = 2048;
const IMAGE_CACHE_SIZE = 4;

export interface EngineOptions {
  readonly dataDir: string;
  readonly resourcesDir: string;
  readonly version: string;
  readonly transport: AppInfo['transport'];
  readonly maxPixels?: number;
}

/** The API methods every shell gets from the engine; shells add their own (native dialogs). */
export type EngineApi = Omit<StudioApi, ShellMethod>;

/** Methods a shell implements itself because they need its native dialogs. */
export type ShellMethod = 'openWithDialog' | 'exportWithDialog';

/**
 * The studio's engine: everything the renderer can ask for, with no Electron in it. The three shells (Electron
 * IPC, the local server, the CLI) are thin adapters over one instance of this class.
 */
export class Engine implements EngineApi {
  readonly events = new EventEmitter<{ event: [StudioEvent] }>();
  /** Every job's snapshot, whichever runner runs it: what listJobs answers and job.snapshot pushes. */
  private readonly registry = new JobRegistry((event) => this.events.emit('event', event));
  readonly jobs = new JobRunner((event) => this.events.emit('event', event), { registry: this.registry });
  private readonly db: Db;
  private readonly samples: SampleLibrary;
  private readonly images = new Map<number, RgbImage>();
  private readonly models: ModelSet;
  private readonly lms: LmLibrary;
  private readonly ask: AskService;
  private readonly speeds: LmSpeedStore;
  private readonly estimator: Estimator;
  private disposed = false;

  constructor(private readonly options: EngineOptions) {
    this.db = openDatabase(options.dataDir);
    failInterruptedRuns(this.db);
    removeLeftovers(this.db, options.dataDir);
    this.samples = new SampleLibrary(path.join(options.resourcesDir, 'samples'));
    this.models = new ModelSet(() => readSettings(this.db));
    this.speeds = new LmSpeedStore(options.dataDir);
    this.estimator = new Estimator({
      models: this.models,
      speeds: this.speeds,
      settings: () => readSettings(this.db),
      sampleCount: this.samples.list().length,
    });
    this.lms = new LmLibrary({
      db: this.db,
      dataDir: options.dataDir,
      emit: (event) => this.events.emit('event', event),
      registry: this.registry,
      settings: () => readSettings(this.db),
      choose: (lmFile) => this.updateSettings({ lmFile }),
    });
    this.ask = new AskService({
      models: this.models,
      jobs: this.jobs,
      emit: (event) => this.events.emit('event', event),
      pixels: (imageId) => this.pixelsOrReload(imageId),
    });
  }

  appInfo(): Promise<AppInfo> {
    return Promise.resolve({
      version: this.options.version,
      dataDir: this.options.dataDir,
      transport: this.options.transport,
      nativeDialogs: this.options.transport === 'electron',
    });
  }

  listSamples(): Promise<SampleInfo[]> {
    return Promise.resolve(this.samples.list());
  }

  async openSample({ id }: { id: string }): Promise<OpenedImage> {
    return this.openPath(this.samples.pathOf(id));
  }

  /** Opens a file from disk (native dialog, CLI, recent list). */
  async openPath(filePath: string): Promise<OpenedImage> {
    const opened = await this.decode({ path: filePath });
    return this.register(opened, path.resolve(filePath), path.basename(filePath));
  }

  /**
   * Opens bytes the user dropped or pasted in the browser. The file is validated first and only then kept
   * under the data folder's imports/, named by its hash, so a recent entry can be reopened later.
   */
  async openUpload({ name, base64 }: { name: string; base64: string | AsciiBytes }): Promise<OpenedImage> {
    const safeName = path.basename(name);
    // The base64 is decoded in the image worker with the photo; the file is written without blocking.
    const opened = await this.decode({ base64, label: safeName });
    const importsDir = path.join(this.options.dataDir, 'imports');
    fs.mkdirSync(importsDir, { recursive: true });
    const stored = path.join(importsDir, `${opened.decoded.sha256}${path.extname(safeName).toLowerCase()}`);
    if (!fs.existsSync(stored)) {
      const tmp = `${stored}.${process.pid}.tmp`;
      await fs.promises.writeFile(tmp, opened.bytes ?? new Uint8Array());
      fs.renameSync(tmp, stored);
    }
    return this.register(opened, stored, safeName);
  }

  async openRecent({ imageId }: { imageId: number }): Promise<OpenedImage> {
    const row = getImage(this.db, imageId);
    if (!row) throw new StudioError('NOT_FOUND', `No image with id ${imageId} in the library.`);
    const opened = await this.decode({ path: row.path });
    return this.register(opened, row.path, row.name);
  }

  recentImages({ limit }: { limit: number }): Promise<ImageSummary[]> {
    return Promise.resolve(
      recentImages(this.db, limit).map((row) => ({
        imageId: row.id,
        name: row.name,
        width: row.width,
        height: row.height,
        openedAt: row.openedAt,
        thumbnailUrl: `data:image/png;base64,${row.thumbnail.toString('base64')}`,
      })),
    );
  }

  getSettings(): Promise<Settings> {
    return Promise.resolve(readSettings(this.db));
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    // A model file is checked before it is saved: a wrong choice is refused now, not at the next run.
    if (patch.lmFile) await checkLlama2Gguf(patch.lmFile);
    if (patch.tokenizerPack) await chosenPackDir(patch.tokenizerPack);
    const settings = writeSettings(this.db, patch);
    // Models are loaded with the threads, provider, LM file and server in force. When those change, idle models
    // are released now; models a job is using are swapped at the next job's first use (ModelSet), never under it.
    if (
      patch.threads !== undefined ||
      patch.executionProvider !== undefined ||
      patch.tokenizerPack !== undefined ||
      patch.lmFile !== undefined ||
      patch.lmServerUrl !== undefined ||
      patch.lmServerKey !== undefined
    ) {
      if (this.jobs.activeCount === 0) await this.models.dispose();
    }
    return settings;
  }

  cancelJob({ jobId }: { jobId: string }): Promise<boolean> {
    return Promise.resolve(this.jobs.cancel(jobId) || this.lms.jobs.cancel(jobId));
  }

  listLms(): Promise<LmLibraryView> {
    return this.lms.list();
  }

  async listTokenizerPacks(): Promise<TokenizerPackInfo[]> {
    const chosen = readSettings(this.db).tokenizerPack;
    const inUse = await chosenPackDir(chosen).catch(() => null);
    return Promise.all(
      (await listInstalledPacks()).map(async (dir) => {
        const manifest = await readManifest(dir);
        return {
          id: path.basename(dir),
          name: manifest.name,
          global: manifest.global !== null,
          inUse: dir === inUse,
        };
      }),
    );
  }

  importLm({ path: file }: { path: string }): Promise<LmModel> {
    return this.lms.importFile(file);
  }

  uploadLmChunk(
    input: Parameters<LmLibrary['uploadChunk']>[0],
  ): Promise<{ received: number; model: LmModel | null }> {
    return this.lms.uploadChunk(input);
  }

  async connectLmServer({ url, apiKey }: { url: string; apiKey: string }): Promise<LmServerStatus> {
    if (url.trim() === '') {
      await this.updateSettings({ lmServerUrl: '', lmServerKey: '' });
      return null;
    }
    // Checked before it is saved (reachable, the key accepted, LLaMA-2's vocabulary): a wrong address is refused now.
    const server = await RemoteLm.connect(url.trim(), apiKey ? { apiKey } : {});
    await server.dispose();
    await this.updateSettings({ lmServerUrl: server.url, lmServerKey: apiKey });
    return { url: server.url, model: server.name, slots: server.sequenceCount };
  }

  selectLm({ id }: { id: number }): Promise<LmLibraryView> {
    return this.lms.select(id);
  }

  removeLm({ id }: { id: number }): Promise<LmLibraryView> {
    return this.lms.remove(id);
  }

  startLmDownload({ uri }: { uri: string }): Promise<{ jobId: string }> {
    return Promise.resolve().then(() => this.lms.startDownload(uri));
  }

  pauseLmDownload({ jobId }: { jobId: string }): Promise<boolean> {
    return Promise.resolve(this.lms.pauseDownload(jobId));
  }

  discardLmDownload({ uri }: { uri: string }): Promise<LmLibraryView> {
    return this.lms.discardDownload(uri);
  }

  async startRestore(request: RestoreRequest): Promise<{ jobId: string }> {
    if (this.ask.busy) {
      throw new StudioError(
        'BUSY',
        'An Ask job is using the language model: wait for its answer or cancel it, then restore.',
      );
    }
    // Checked now against the photo's size; its pixels are read again when the job is next in line.
    const { width, height } = await this.pixelsOrReload(request.imageId);
    checkRequestComplexity(request, { width, height }, this.options.maxPixels);
    const emit = (event: StudioEvent) => this.events.emit('event', event);
    const { jobId, result } = this.jobs.start(
      'restore',
      (ctx) =>
        runRestoreJob(
          {
            db: this.db,
            dataDir: this.options.dataDir,
            models: this.models,
            samplePaths: this.samples.list().map((s) => this.samples.pathOf(s.id)),
            speeds: this.speeds,
            settings: () => readSettings(this.db),
          },
          request.imageId,
          () => this.pixelsOrReload(request.imageId),
          request,
          ctx,
          (runId) => {
            ctx.ran(runId);
            emit({ type: 'restore.started', jobId, runId });
          },
          (runId, cells) =>
            emit({
              type: 'restore.cells',
              jobId,
              runId,
              cells: cells.map((c) => ({ ...c, text: tokenText(c.id) })),
            }),
        ),
      request.imageId,
    );
    // The outcome reaches the renderer in the job's snapshot; nothing else awaits this promise.
    result.catch(() => undefined);
    return { jobId };
  }

  listJobs(): Promise<JobSnapshot[]> {
    return Promise.resolve(this.registry.list());
  }

  async estimateRestore({
    request,
    calibrate,
  }: {
    request: RestoreRequest;
    calibrate: boolean;
  }): Promise<RestoreEstimate> {
    const photo = await this.pixelsOrReload(request.imageId);
    checkRequestComplexity(request, photo, this.options.maxPixels);
    return this.estimator.estimate(photo, request, calibrate);
  }

  getRun({ runId, tile }: { runId: number; tile?: number }): Promise<RunView> {
    return getRunViewAt(this.db, runId, tile);
  }

  listRuns({ imageId, limit }: { imageId?: number; limit: number }): Promise<RunSummary[]> {
    return Promise.resolve(runSummaries(this.db, imageId, limit));
  }

  saveEdits({ imageId, doc }: { imageId: number; doc: string }): Promise<{ savedAt: string }> {
    if (!getImage(this.db, imageId)) {
      throw new StudioError(
        'NOT_FOUND',
        `No image with id ${imageId} in the library: its edits cannot be kept.`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(doc);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new StudioError('INVALID_ARGUMENT', 'The edits to keep must be a JSON object.');
    }
    return Promise.resolve({ savedAt: saveEdits(this.db, imageId, doc).savedAt });
  }

  getEdits({ imageId }: { imageId: number }): Promise<{ doc: string | null; savedAt: string | null }> {
    const saved = readEdits(this.db, imageId);
    return Promise.resolve({ doc: saved?.doc ?? null, savedAt: saved?.savedAt ?? null });
  }

  exportRun(request: ExportRequest): Promise<ExportResult> {
    return exportRun({ db: this.db, dataDir: this.options.dataDir }, request);
  }

  exportForDownload(request: ExportRequest): Promise<DownloadResult> {
    return exportForDownload({ db: this.db, dataDir: this.options.dataDir }, request);
  }

  /** An export to a place the user chose in a shell's save dialog; not part of the renderer's API. */
  exportRunTo(request: ExportRequest, target: ExportTarget): Promise<ExportResult> {
    return exportRun({ db: this.db, dataDir: this.options.dataDir }, request, target);
  }

  askAvailability(): Promise<AskAvailability> {
    return this.ask.availability();
  }

  startAsk(request: AskRequest): Promise<{ jobId: string }> {
    return this.ask.start(request);
  }

  modelInfo(): Promise<ModelInfo> {
    const { lmFile, tokenizerPack } = readSettings(this.db);
    return modelInfo(lmFile, tokenizerPack);
  }

  /** Full-resolution pixels of an opened image, for jobs. */
  pixels(imageId: number): RgbImage {
    const image = this.images.get(imageId);
    if (!image) throw new StudioError('NOT_FOUND', `Image ${imageId} is not open: open it again.`);
    return image;
  }

  /** Pixels of an image, decoding it again from its file when it has left the in-memory cache. */
  private async pixelsOrReload(imageId: number): Promise<RgbImage> {
    if (!this.images.has(imageId)) await this.openRecent({ imageId });
    return this.pixels(imageId);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.jobs.cancelAll();
    this.lms.dispose();
    await this.models.dispose();
    this.db.close();
  }

  /**
   * Decodes a photo with its thumbnail and display copy in an image worker: a 100 MP photo's decode, hash and
   * resizes take seconds, during which the main thread keeps answering. Its pixels come back in shared memory,
   * so handing them to a worker again (to prepare a restoration) copies nothing.
   */
  private decode(source: ImageSource): Promise<OpenedPixels> {
    return openImageOffThread(source, {
      displayMaxSide: DISPLAY_MAX_SIDE,
      ...(this.options.maxPixels === undefined ? {} : { maxPixels: this.options.maxPixels }),
    });
  }

  private register(opened: OpenedPixels, filePath: string, name: string): OpenedImage {
    const { decoded: loaded, thumbnail, displayUrl, displayScale } = opened;
    const { image } = loaded;
    const row = upsertImage(this.db, {
      path: filePath,
      name,
      sha256: loaded.sha256,
      width: image.width,
      height: image.height,
      byteLength: loaded.byteLength,
      format: loaded.format,
      thumbnail,
    });
    this.images.delete(row.id);
    this.images.set(row.id, image);
    // Keep only the most recently opened few in memory: a 24 MP photo is 72 MB of RGB.
    while (this.images.size > IMAGE_CACHE_SIZE) this.images.delete(this.images.keys().next().value as number);
    return {
      imageId: row.id,
      name,
      width: image.width,
      height: image.height,
      format: loaded.format,
      displayUrl,
      displayScale,
    };
  }
}
