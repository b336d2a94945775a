/**
 * The only module that imports node-llama-cpp. It never compiles llama.cpp (prebuilt binaries arrive as npm
 * packages) and picks the GPU backend automatically, falling back to the CPU.
 */
import {
  getLlama,
  TokenBias,
  LlamaLogLevel,
  readGgufFileInfo,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
  type ControlledEvaluateInputItem,
} from 'node-llama-cpp';

export { TokenBias };
export type { ControlledEvaluateInputItem, LlamaContext, LlamaContextSequence, LlamaModel, Token };

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
}

/** Reads a GGUF's metadata without loading its weights, so a wrong file is refused before any allocation. */
export async function readGgufSummary(file: string): Promise<GgufSummary> {
  const info = await readGgufFileInfo(file, { readTensorInfo: false });
  const metadata = info.metadata as unknown as {
    general: { architecture: string; name?: string; file_type?: number };
    tokenizer?: { ggml?: { tokens?: readonly string[] } };
  } & Record<string, { context_length?: number } | undefined>;
  const arch = metadata.general.architecture;
  return {
    architecture: arch,
    name: metadata.general.name,
    tokens: metadata.tokenizer?.ggml?.tokens,
    contextLength: metadata[arch]?.context_length,
    fileType: metadata.general.file_type,
  };
}
