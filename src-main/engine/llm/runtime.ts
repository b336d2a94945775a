/**
 * The only module that imports node-llama-cpp. It never compiles llama.cpp (prebuilt binaries arrive as npm
 * packages) and picks the GPU backend automatically, falling back to the CPU.
 */
import { GgufFormatError, readGgufHeader } from './gguf-header';
import {
  createModelDownloader,
  getLlama,
  GgmlType,
  GgufFileType,
  TokenBias,
  LlamaLogLevel,
  type ModelDownloader,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
  type ControlledEvaluateInputItem,
} from 'node-llama-cpp';

export { TokenBias };
export type {
  ControlledEvaluateInputItem,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
  ModelDownloader,
  Token,
};

let runtime: Promise<Llama> | null = null;

/** One llama.cpp runtime per process; GPU offload when a prebuilt CUDA/Vulkan/Metal backend works here. */
export function llamaRuntime(): Promise<Llama> {
  runtime ??= (async () => {
    try {
      return await getLlama({ build: 'never', gpu: 'auto', logLevel: LlamaLogLevel.error });
    } catch {
      return getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.error });
    }
  })();
  return runtime;
}

export interface GgufSummary {
  readonly architecture: string;
  readonly name: string | undefined;
  readonly tokens: readonly string[] | undefined;
  readonly contextLength: number | undefined;
  readonly fileType: number | undefined;
  /** GgufFileType's name without its MOSTLY_/ALL_ prefix (Q4_K_M, F16, F32), when the header has a file type. */
  readonly fileTypeName: string | undefined;
  /** Tensor count and parameters per ggml type name. */
  readonly tensorTypes: ReadonlyMap<string, { readonly tensors: number; readonly parameters: number }>;
  readonly parameters: number;
}

/**
 * Reads a GGUF's metadata and tensor table (names, shapes, types: a few hundred KB at the head of the file) without
 * loading its weights, so a wrong file is refused before any allocation. The header reader bounds every count by
 * the file's size and refuses a file shorter than its tensor table says; its message never quotes the file.
 */
export async function readGgufSummary(file: string): Promise<GgufSummary> {
  const header = await readGgufHeader(file);
  const text = (key: string) => {
    const value = header.metadata.get(key);
    return typeof value === 'string' ? value : undefined;
  };
  const count = (key: string) => {
    const value = header.metadata.get(key);
    return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
  };
  const arch = text('general.architecture');
  if (arch === undefined) throw new GgufFormatError('it has no general.architecture');
  const tensorTypes = new Map<string, { tensors: number; parameters: number }>();
  let parameters = 0;
  for (const tensor of header.tensors) {
    const type = GgmlType[tensor.type] ?? `type ${tensor.type}`;
    const entry = tensorTypes.get(type) ?? { tensors: 0, parameters: 0 };
    tensorTypes.set(type, { tensors: entry.tensors + 1, parameters: entry.parameters + tensor.elements });
    parameters += tensor.elements;
  }
  const fileType = count('general.file_type');
  const fileTypeName = fileType === undefined ? undefined : GgufFileType[fileType];
  return {
    architecture: arch,
    name: text('general.name'),
    tokens: header.tokens,
    contextLength: count(`${arch}.context_length`),
    fileType,
    fileTypeName: fileTypeName?.replace(/^(MOSTLY|ALL)_/, ''),
    tensorTypes,
    parameters,
  };
}

/**
 * Where llama.cpp runs models here: "CPU", or the GPU backend with its device names. node-llama-cpp picked the
 * backend (CUDA, Vulkan or Metal when a prebuilt one works on this machine) and offloads layers automatically.
 */
export async function runtimeDevice(): Promise<string> {
  const llama = await llamaRuntime();
  if (llama.gpu === false) return 'CPU';
  const names = await llama.getGpuDeviceNames().catch(() => [] as string[]);
  const backend = { cuda: 'CUDA', vulkan: 'Vulkan', metal: 'Metal' }[llama.gpu];
  return names.length > 0 ? `${backend} (${names.join(', ')})` : backend;
}

export interface DownloaderOptions {
  /** hf:user/repo/file.gguf, hf:user/repo:quant, or an http(s) URL. */
  readonly uri: string;
  readonly folder: string;
  /** The name to save the file as, when the address it is fetched from does not end in it. */
  readonly fileName?: string;
  readonly onProgress: (downloadedBytes: number, totalBytes: number) => void;
}

/**
 * node-llama-cpp's downloader (ipull underneath): parallel ranged requests, a `.ipull` file beside the target that
 * records finished 5 MB chunks, so a later downloader for the same URI and folder resumes instead of restarting.
 */
export function modelDownloader(options: DownloaderOptions): Promise<ModelDownloader> {
  return createModelDownloader({
    modelUri: options.uri,
    dirPath: options.folder,
    ...(options.fileName === undefined ? {} : { fileName: options.fileName }),
    skipExisting: true,
    deleteTempFileOnCancel: false,
    onProgress: ({ downloadedSize, totalSize }) => options.onProgress(downloadedSize, totalSize),
  });
}
