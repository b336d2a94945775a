/**
 * The only module that imports node-llama-cpp. It never compiles llama.cpp (prebuilt binaries arrive as npm
 * packages) and picks the GPU backend automatically, falling back to the CPU.
 */
import {
  createModelDownloader,
  getLlama,
  GgmlType,
  GgufFileType,
  TokenBias,
  LlamaLogLevel,
  readGgufFileInfo,
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
 * loading its weights, so a wrong file is refused before any allocation.
 */
export async function readGgufSummary(file: string): Promise<GgufSummary> {
  const info = await readGgufFileInfo(file, { readTensorInfo: true });
  const metadata = info.metadata as unknown as {
    general: { architecture: string; name?: string; file_type?: number };
    tokenizer?: { ggml?: { tokens?: readonly string[] } };
  } & Record<string, { context_length?: number } | undefined>;
  const arch = metadata.general.architecture;
  const tensorTypes = new Map<string, { tensors: number; parameters: number }>();
  let parameters = 0;
  for (const tensor of info.fullTensorInfo ?? []) {
    const count = tensor.dimensions.reduce<number>((n, d) => n * Number(d), 1);
    const type = (GgmlType[tensor.ggmlType] as string | undefined) ?? `type ${tensor.ggmlType}`;
    const entry = tensorTypes.get(type) ?? { tensors: 0, parameters: 0 };
    tensorTypes.set(type, { tensors: entry.tensors + 1, parameters: entry.parameters + count });
    parameters += count;
  }
  const fileType = metadata.general.file_type;
  const fileTypeName = fileType === undefined ? undefined : GgufFileType[fileType];
  return {
    architecture: arch,
    name: metadata.general.name,
    tokens: metadata.tokenizer?.ggml?.tokens,
    contextLength: metadata[arch]?.context_length,
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
    skipExisting: true,
    deleteTempFileOnCancel: false,
    onProgress: ({ downloadedSize, totalSize }) => options.onProgress(downloadedSize, totalSize),
  });
}
