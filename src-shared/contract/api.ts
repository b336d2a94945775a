/**
 * The one typed contract between the studio's renderer and its engine. Every request the renderer may make
 * and every event the engine pushes is declared here; the Electron preload, the local HTTP/WebSocket server
 * and the renderer's browser client are all derived from it, so the three cannot drift apart.
 */
import { ASK_VALIDATORS, type AskApi, type AskEvent } from './ask';
import type { ErrorPayload } from './errors';
import { ESTIMATE_VALIDATORS, type EstimateApi } from './estimate';
import { EXPORT_VALIDATORS, type ExportApi } from './export';
import { JOB_VALIDATORS, type JobEvent, type JobsApi } from './jobs';
import { MODEL_VALIDATORS, type LocalFilePaths, type ModelsApi } from './models';
import {
  restoreRequestValidator,
  type Protocol,
  type RestoreRequest,
  type RunSummary,
  type RunView,
} from './restore';
import {
  asciiText,
  literal,
  none,
  number,
  object,
  optional,
  string,
  type AsciiBytes,
  type Validator,
} from './validate';
import { PROTOCOL_IDS } from '../tasks/registry';

/** Largest upload accepted over the wire, in base64 characters (about 150 MB of file). */
export const MAX_UPLOAD_BASE64 = 200_000_000;

/** Largest editor document kept per photo, in characters of JSON (a long session of brush strokes fits). */
export const MAX_EDITS_CHARS = 20_000_000;

export interface AppInfo {
  readonly version: string;
  /** Where the store, imports and exports live. */
  readonly dataDir: string;
  readonly transport: 'electron' | 'server';
  /** Whether native open/save dialogs exist (Electron) or the browser's file input must be used. */
  readonly nativeDialogs: boolean;
}

export interface SampleInfo {
  readonly id: string;
  readonly name: string;
  readonly licence: string;
  readonly attribution: string;
}

export interface OpenedImage {
  readonly imageId: number;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly format: string;
  /** PNG data URL of the photo for display, downscaled so its long side is at most DISPLAY_MAX_SIDE. */
  readonly displayUrl: string;
  readonly displayScale: number;
}

/**
 * Photos picked together in the native open dialog, for a batch: each opened and stored as an opened photo is
 * (without its display image, which a batch does not show), or the reason it could not be.
 */
export interface PickedPhotos {
  readonly photos: readonly PickedPhoto[];
}

export interface PickedPhoto {
  readonly name: string;
  /** The stored photo; null when it could not be opened (`error` says why). */
  readonly imageId: number | null;
  readonly error: ErrorPayload | null;
}

export interface ImageSummary {
  readonly imageId: number;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly openedAt: string;
  readonly thumbnailUrl: string;
}

export type Theme = 'system' | 'light' | 'dark';

/** Where the tokenizer runs: 'auto' tries CUDA, DirectML, CoreML, WebGPU, then the CPU. */
export type ExecutionProviderSetting = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';

export interface Settings {
  readonly theme: Theme;
  readonly defaultProtocol: Protocol;
  /** 0 lets the engine choose from the hardware. */
  readonly threads: number;
  /**
   * Prompts the local language model evaluates at once (its parallel sequences); 0 lets the engine choose.
   * It changes the speed, and can change some predicted words through the batches' rounding (`npm run bench`'s
   * sweep measures each choice and marks those that change any word); the default gives the authors' loop's.
   */
  readonly sequences: number;
  readonly executionProvider: ExecutionProviderSetting;
  /**
   * The tokenizer pack (a folder under resources/models, see listTokenizerPacks); empty for the default one
   * (V2L_PACK when set, else the single installed pack).
   */
  readonly tokenizerPack: string;
  /** A LLaMA-2-vocabulary GGUF to use instead of the bundled model; empty for the bundled one. */
  readonly lmFile: string;
  /**
   * The address of llama.cpp's llama-server (e.g. http://192.168.1.20:8080) that restorations use instead of a
   * local model; empty to run the model here. The server's model must have LLaMA-2's vocabulary.
   */
  readonly lmServerUrl: string;
  /** The server's --api-key, if it has one. Kept in the local settings database. */
  readonly lmServerKey: string;
}

export const DEFAULT_SETTINGS: Settings = {
  theme: 'system',
  defaultProtocol: 'reference',
  threads: 0,
  sequences: 0,
  executionProvider: 'auto',
  tokenizerPack: '',
  lmFile: '',
  lmServerUrl: '',
  lmServerKey: '',
};

/** The most parallel sequences Settings accept: each holds a KV cache of its own. */
export const MAX_SEQUENCES = 16;

/** Everything the renderer may ask. Each method takes at most one plain-object argument. */
export interface StudioApi extends ExportApi, ModelsApi, AskApi, EstimateApi, JobsApi {
  appInfo(): Promise<AppInfo>;
  listSamples(): Promise<SampleInfo[]>;
  openSample(input: { id: string }): Promise<OpenedImage>;
  /** Bytes of a file the user dropped, pasted or picked in the browser, base64-encoded. */
  openUpload(input: { name: string; base64: string | AsciiBytes }): Promise<OpenedImage>;
  /**
   * Shows the native open dialog (Electron only): one photo picked opens as before, several come back as
   * PickedPhotos for a batch; null when the user cancels.
   */
  openWithDialog(): Promise<OpenedImage | PickedPhotos | null>;
  openRecent(input: { imageId: number }): Promise<OpenedImage>;
  recentImages(input: { limit: number }): Promise<ImageSummary[]>;
  getSettings(): Promise<Settings>;
  updateSettings(input: Partial<Settings>): Promise<Settings>;
  cancelJob(input: { jobId: string }): Promise<boolean>;
  /** Starts a restoration job; progress and predicted cells arrive as events, the result through getRun. */
  startRestore(input: RestoreRequest): Promise<{ jobId: string }>;
  /** A run; `tile` picks which tile of a full-resolution run its grids and 128 px images show (default 0). */
  getRun(input: { runId: number; tile?: number }): Promise<RunView>;
  listRuns(input: { imageId?: number; limit: number }): Promise<RunSummary[]>;
  /** Keeps the editor's document (JSON) for a photo, so a reload or a crash loses none of the user's work. */
  saveEdits(input: { imageId: number; doc: string }): Promise<{ savedAt: string }>;
  /** The document saveEdits kept for a photo; null fields when there is none. */
  getEdits(input: { imageId: number }): Promise<{ doc: string | null; savedAt: string | null }>;
}

export type MethodName = keyof StudioApi;
export type MethodInput<M extends MethodName> = Parameters<StudioApi[M]>[0];
export type MethodOutput<M extends MethodName> = Awaited<ReturnType<StudioApi[M]>>;

const settingsPatch: Validator<Partial<Settings>> = object({
  theme: optional(literal('system', 'light', 'dark')),
  defaultProtocol: optional(literal(...PROTOCOL_IDS)),
  threads: optional(number({ min: 0, max: 256, integer: true })),
  sequences: optional(number({ min: 0, max: MAX_SEQUENCES, integer: true })),
  executionProvider: optional(literal('auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu')),
  tokenizerPack: optional(string({ maxLength: 255 })),
  lmFile: optional(string({ maxLength: 4096 })),
  lmServerUrl: optional(string({ maxLength: 2048 })),
  lmServerKey: optional(string({ maxLength: 512 })),
});

/** Runtime checks for every method's argument, applied by each transport before the engine sees it. */
export const INPUT_VALIDATORS: { readonly [M in MethodName]: Validator<MethodInput<M>> } = {
  appInfo: none,
  listSamples: none,
  openSample: object({ id: string({ maxLength: 200 }) }),
  openUpload: object({
    name: string({ minLength: 1, maxLength: 500 }),
    base64: asciiText({ maxLength: MAX_UPLOAD_BASE64 }),
  }),
  openWithDialog: none,
  openRecent: object({ imageId: number({ integer: true, min: 1 }) }),
  recentImages: object({ limit: number({ integer: true, min: 1, max: 500 }) }),
  getSettings: none,
  updateSettings: settingsPatch,
  cancelJob: object({ jobId: string({ maxLength: 100 }) }),
  startRestore: restoreRequestValidator,
  getRun: object({
    runId: number({ integer: true, min: 1 }),
    tile: optional(number({ integer: true, min: 0, max: 1_000_000 })),
  }),
  listRuns: object({
    imageId: optional(number({ integer: true, min: 1 })),
    limit: number({ integer: true, min: 1, max: 1000 }),
  }),
  saveEdits: object({
    imageId: number({ integer: true, min: 1 }),
    doc: string({ minLength: 2, maxLength: MAX_EDITS_CHARS }),
  }),
  getEdits: object({ imageId: number({ integer: true, min: 1 }) }),
  ...EXPORT_VALIDATORS,
  ...MODEL_VALIDATORS,
  ...ASK_VALIDATORS,
  ...ESTIMATE_VALIDATORS,
  ...JOB_VALIDATORS,
};

export const METHOD_NAMES = Object.keys(INPUT_VALIDATORS) as MethodName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(INPUT_VALIDATORS, value);
}

/**
 * Events the engine pushes to every connected renderer. A job's state travels whole as job.snapshot; the
 * job.progress / job.done / job.failed events say the same in parts, for clients that follow only those.
 */
export type StudioEvent =
  | JobEvent
  | {
      readonly type: 'job.progress';
      readonly jobId: string;
      readonly step: number;
      readonly of: number;
      readonly message: string;
      readonly tokensPerSecond?: number;
      readonly etaSeconds?: number;
    }
  | { readonly type: 'job.done'; readonly jobId: string }
  | { readonly type: 'restore.started'; readonly jobId: string; readonly runId: number }
  | {
      readonly type: 'restore.cells';
      readonly jobId: string;
      readonly runId: number;
      /** Newly predicted local cells (0..255) with their word and the LM's probability. */
      readonly cells: readonly {
        readonly cell: number;
        readonly id: number;
        readonly text: string;
        readonly confidence: number;
      }[];
    }
  | { readonly type: 'job.failed'; readonly jobId: string; readonly error: ErrorPayload }
  | AskEvent;

/** How every response travels: errors become data, because thrown errors lose their type across IPC. */
export type Envelope<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorPayload };

/** The renderer-side view: the API plus a subscription to pushed events. */
export interface StudioClient extends StudioApi, LocalFilePaths {
  onEvent(listener: (event: StudioEvent) => void): () => void;
}

export const IPC_INVOKE_PREFIX = 'v2l:';
export const IPC_EVENT_CHANNEL = 'v2l:event';
