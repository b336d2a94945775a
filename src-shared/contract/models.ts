/**
 * The language-model part of the contract: the GGUF files the studio knows (the bundled one, files imported from
 * disk, files downloaded from a model URI), which one restorations use, and downloads in progress or paused.
 * Registered in api.ts next to the rest of the contract.
 */
import { ContractViolation, none, number, object, string, type Validator } from './validate';

/** Where a model entry came from. Only 'downloaded' and 'uploaded' files belong to the studio. */
export type LmSource = 'bundled' | 'imported' | 'downloaded' | 'uploaded';

/** What the GGUF header says, read without loading the weights. */
export interface LmFileInfo {
  /** general.name, or the file name when the header has none. */
  readonly name: string;
  readonly architecture: string;
  /** The file type (e.g. Q4_K_M, F16), or the dominant tensor type when the header does not name one. */
  readonly quantisation: string;
  /** Tensors per ggml type, most parameters first, e.g. [["Q4_K", 193], ["F32", 65]]. */
  readonly tensorTypes: readonly (readonly [type: string, count: number])[];
  /** The context length the model was trained with, when the header says. */
  readonly contextLength: number | null;
  /** Summed over the tensors' shapes. */
  readonly parameters: number | null;
  readonly vocabularySize: number;
}

export interface LmModel {
  /** 0 for the bundled model; the store's id otherwise. */
  readonly id: number;
  readonly source: LmSource;
  readonly file: string;
  /** Size on disk now; 0 when the file is missing. */
  readonly bytes: number;
  /** Null when the file could not be read; `problem` says why. */
  readonly info: LmFileInfo | null;
  /** True when the token table is LLaMA-2's, checked token by token. */
  readonly vocabularyOk: boolean;
  /** Why this model cannot be used now (missing file, wrong vocabulary), with the fix; null when it can. */
  readonly problem: string | null;
  /** The model restorations use. */
  readonly selected: boolean;
  /** The model URI it was downloaded from. */
  readonly uri: string | null;
  readonly addedAt: string | null;
}

/** A download that stopped before the end (paused, or the connection failed): starting it again resumes it. */
export interface LmPartialDownload {
  readonly uri: string;
  readonly fileName: string;
  readonly downloadedBytes: number;
  readonly totalBytes: number;
  /** The job downloading it now, if any. */
  readonly jobId: string | null;
}

export interface LmLibraryView {
  readonly models: readonly LmModel[];
  readonly downloads: readonly LmPartialDownload[];
  /**
   * Where llama.cpp runs models on this machine: "CPU", or the GPU backend and device names when a CUDA, Vulkan or
   * Metal build works here (offload is automatic).
   */
  readonly device: string;
}

/** A tokenizer pack installed under resources/models. */
export interface TokenizerPackInfo {
  /** Its folder name: what Settings' tokenizerPack holds. */
  readonly id: string;
  /** The name its manifest gives. */
  readonly name: string;
  /** Whether it has the global branch (the words that lead every prompt, and Ask). */
  readonly global: boolean;
  /** Whether restorations use it now (the chosen pack, or the default when none is chosen). */
  readonly inUse: boolean;
}

export interface ModelsApi {
  listLms(): Promise<LmLibraryView>;
  /** The tokenizer packs Settings can choose from. */
  listTokenizerPacks(): Promise<TokenizerPackInfo[]>;
  /** Adds a GGUF from disk by reference after checking its vocabulary; the file stays where it is. */
  importLm(input: { path: string }): Promise<LmModel>;
  /**
   * Receives a GGUF the browser sent in pieces (server mode has no file paths). Pieces arrive in order; the last
   * one checks the whole file and returns the model, earlier ones return null.
   */
  uploadLmChunk(input: {
    uploadId: string;
    name: string;
    offset: number;
    total: number;
    base64: string;
  }): Promise<{ received: number; model: LmModel | null }>;
  /** Restorations use this model from now on (0: the bundled one). */
  selectLm(input: { id: number }): Promise<LmLibraryView>;
  /** Forgets an entry. Files the user imported are never deleted; the studio's own downloads are. */
  removeLm(input: { id: number }): Promise<LmLibraryView>;
  /** Starts downloading a GGUF from a model URI as a job; a partial download of the same URI resumes. */
  startLmDownload(input: { uri: string }): Promise<{ jobId: string }>;
  /** Stops a download job and keeps what it fetched, so starting the same URI again resumes it. */
  pauseLmDownload(input: { jobId: string }): Promise<boolean>;
  /** Deletes what a stopped download fetched. */
  discardLmDownload(input: { uri: string }): Promise<LmLibraryView>;
  /**
   * Restorations run on llama.cpp's llama-server at `url` from now on, once the server answers and its vocabulary
   * is checked to be LLaMA-2's; an empty url runs the model here again.
   */
  connectLmServer(input: { url: string; apiKey: string }): Promise<LmServerStatus>;
}

/** The llama-server restorations use, as it answered when connected; null when the model runs here. */
export type LmServerStatus = {
  readonly url: string;
  readonly model: string;
  /** Prompts the server evaluates at once (its -np slots). */
  readonly slots: number;
} | null;

/** Electron only: where a picked or dropped file lives on disk ('' when it has no path, as in a browser). */
export interface LocalFilePaths {
  readonly lmFilePath?: (file: Blob) => string;
}

/** Largest piece of an upload, in base64 characters (12 MB of file). */
export const MAX_LM_CHUNK_BASE64 = 16_000_000;

const matching =
  (inner: Validator<string>, pattern: RegExp, expected: string): Validator<string> =>
  (value, path) => {
    const text = inner(value, path);
    if (!pattern.test(text)) throw new ContractViolation(`${path} must be ${expected}`);
    return text;
  };

const id = object({ id: number({ integer: true, min: 0 }) });
const jobId = object({ jobId: string({ maxLength: 100 }) });
const uri = object({ uri: string({ minLength: 1, maxLength: 2048 }) });

export const MODEL_VALIDATORS: { readonly [M in keyof ModelsApi]: Validator<Parameters<ModelsApi[M]>[0]> } = {
  listLms: none,
  listTokenizerPacks: none,
  importLm: object({ path: string({ minLength: 1, maxLength: 4096 }) }),
  uploadLmChunk: object({
    uploadId: matching(
      string({ maxLength: 64 }),
      /^[A-Za-z0-9-]{8,64}$/,
      '8 to 64 letters, digits or dashes',
    ),
    name: string({ minLength: 1, maxLength: 500 }),
    offset: number({ integer: true, min: 0 }),
    total: number({ integer: true, min: 1 }),
    base64: string({ maxLength: MAX_LM_CHUNK_BASE64 }),
  }),
  selectLm: id,
  removeLm: id,
  startLmDownload: uri,
  pauseLmDownload: jobId,
  discardLmDownload: uri,
  connectLmServer: object({ url: string({ maxLength: 2048 }), apiKey: string({ maxLength: 512 }) }),
};
