import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import * as ort from 'onnxruntime-node';

import { StudioError } from '../errors';

/*
 * The only module that touches onnxruntime-node. Everything above it sees plain typed arrays, so the runtime
 * can be swapped or mocked without the tokenizer noticing.
 */

/** Execution providers the studio knows how to ask for, by onnxruntime-node's backend names. */
export type ExecutionProvider = 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu';

/** The order providers are tried in: dedicated GPU runtimes first, then WebGPU, the CPU always last. */
export const PROVIDER_PREFERENCE: readonly ExecutionProvider[] = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'];

/** Platforms each provider exists on at all; onnxruntime-node only lists what its binary was built with. */
const PROVIDER_PLATFORMS: Readonly<Record<ExecutionProvider, readonly NodeJS.Platform[] | 'any'>> = {
  cuda: ['linux', 'win32'],
  dml: ['win32'],
  coreml: ['darwin'],
  webgpu: 'any',
  cpu: 'any',
};

/**
 * The providers worth trying on `platform`, in preference order, given the backend names the onnxruntime binary
 * lists. Listed is not the same as working (CUDA is listed even when its libraries are absent), so callers
 * still fall back on failure. The CPU is always included.
 */
export function candidateProviders(
  platform: NodeJS.Platform,
  listed: readonly string[],
  vulkan: boolean = platform !== 'linux' || vulkanLoaderPresent(),
): ExecutionProvider[] {
  return PROVIDER_PREFERENCE.filter((p) => {
    if (p === 'cpu') return true;
    // WebGPU on Linux runs on Vulkan: without its loader the attempt only prints Dawn's two-line warning on
    // every run and falls back to the CPU, so it is not tried.
    if (p === 'webgpu' && !vulkan) return false;
    const where = PROVIDER_PLATFORMS[p];
    return listed.includes(p) && (where === 'any' || where.includes(platform));
  });
}

/** Whether the Vulkan loader (libvulkan.so.1) can be found: in the dynamic linker's cache or LD_LIBRARY_PATH. */
export function vulkanLoaderPresent(env: NodeJS.ProcessEnv = process.env): boolean {
  const name = 'libvulkan.so.1';
  const dirs = (env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean);
  if (dirs.some((dir) => fs.existsSync(path.join(dir, name)))) return true;
  try {
    return fs.readFileSync('/etc/ld.so.cache').includes(name);
  } catch {
    return false;
  }
}

/** The backend names this onnxruntime binary was built with ("cpu", "webgpu", "cuda", ...). */
export function listedBackends(): string[] {
  return ort.listSupportedBackends().map((b) => b.name);
}

export interface SessionOptions {
  /** Threads for one operator. Defaults to the number of logical cores. */
  readonly threads?: number;
  /** Providers to try, in order. Defaults to `candidateProviders(process.platform, listedBackends())`. */
  readonly providers?: readonly ExecutionProvider[];
  /**
   * Let idle worker threads busy-wait for the next operator. Defaults to false: the tokenizer shares the CPU with
   * the language model and the UI, and spinning threads steal the cores they need. On this project's 2-core
   * machines, with other work running, a small graph ran 2x faster without spinning.
   */
  readonly spinning?: boolean;
}

/** A provider that could not create the session, and why: reported, since a silent fallback hides a slow setup. */
export interface ProviderAttempt {
  readonly provider: ExecutionProvider;
  readonly error: string;
  /** Time the failed attempt cost, in milliseconds (loading a missing CUDA library takes about 0.2 s). */
  readonly ms: number;
}

export type TensorData =
  | { readonly type: 'float32'; readonly data: Float32Array; readonly dims: readonly number[] }
  | { readonly type: 'int64'; readonly data: BigInt64Array; readonly dims: readonly number[] };

/** One loaded ONNX graph on one execution provider. Safe to run concurrently; release it once. */
export class OnnxModel {
  readonly #session: ort.InferenceSession;
  #released = false;

  private constructor(
    session: ort.InferenceSession,
    readonly file: string,
    readonly provider: ExecutionProvider,
    readonly failedProviders: readonly ProviderAttempt[],
    readonly createMs: number,
  ) {
    this.#session = session;
  }

  get inputNames(): readonly string[] {
    return this.#session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.#session.outputNames;
  }

  /** The declared element type and shape of a graph input or output (symbolic dims as strings), if it has one. */
  tensorShape(
    kind: 'input' | 'output',
    name: string,
  ): { readonly type: string; readonly shape: readonly (number | string)[] } | null {
    const list = kind === 'input' ? this.#session.inputMetadata : this.#session.outputMetadata;
    const meta = list.find((m) => m.name === name);
    return meta?.isTensor ? { type: meta.type, shape: meta.shape } : null;
  }

  /**
   * Creates a session for `file`, trying each provider in turn; the first that succeeds is used. When none does,
   * the CPU's error is the one reported, since it means the file itself cannot be loaded.
   */
  static async load(file: string, options: SessionOptions = {}): Promise<OnnxModel> {
    const providers = options.providers ?? candidateProviders(process.platform, listedBackends());
    const threads = options.threads ?? os.availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `The thread count must be a whole number >= 1, not ${threads}.`,
      );
    }
    if (providers.length === 0) {
      throw new StudioError('INVALID_ARGUMENT', 'At least one execution provider must be allowed.');
    }
    // onnxruntime logs each failed provider at error level on its own; the failures are reported in
    // `failedProviders` instead, so keep its logger for fatal problems. The level is read once per process.
    ort.env.logLevel = 'fatal';
    const failed: ProviderAttempt[] = [];
    const started = performance.now();
    for (const provider of providers) {
      const attemptStarted = performance.now();
      try {
        const session = await ort.InferenceSession.create(file, {
          executionProviders: [provider],
          graphOptimizationLevel: 'all',
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          // onnxruntime's config keys are strings: "session.intra_op.allow_spinning" = "0" | "1".
          extra: { session: { intra_op: { allow_spinning: options.spinning === true ? '1' : '0' } } },
        });
        return new OnnxModel(session, file, provider, failed, performance.now() - started);
      } catch (error) {
        failed.push({
          provider,
          error: error instanceof Error ? error.message : String(error),
          ms: performance.now() - attemptStarted,
        });
      }
    }
    const last = failed[failed.length - 1];
    throw new StudioError(
      'MODEL_INVALID',
      `${path.basename(file)} in ${path.dirname(file)} could not be loaded by onnxruntime ` +
        `(${failed.map((f) => f.provider).join(', ')} tried; last error: ${last?.error ?? 'none'}). ` +
        'The file is not a valid ONNX graph for this runtime: re-export the pack with ' +
        'training/tokenizer/export_onnx.py or reinstall it.',
    );
  }

  /** Runs the graph on one input and returns the named output, or throws if the graph is released. */
  async run(input: string, tensor: TensorData, output: string): Promise<TensorData> {
    const result = await this.runFeeds({ [input]: tensor }, [output]);
    const value = result[output];
    if (!value) throw new StudioError('MODEL_INVALID', `${this.file} produced no output named "${output}".`);
    return value;
  }

  /** Runs the graph on several named inputs and returns the named outputs (graphs with more than one input). */
  async runFeeds(
    inputs: Readonly<Record<string, TensorData>>,
    outputs: readonly string[],
  ): Promise<Record<string, TensorData>> {
    if (this.#released) {
      throw new StudioError('INTERNAL', `The ONNX session for ${this.file} was released before this run.`);
    }
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(inputs)) {
      feeds[name] =
        tensor.type === 'float32'
          ? new ort.Tensor('float32', tensor.data, tensor.dims)
          : new ort.Tensor('int64', tensor.data, tensor.dims);
    }
    const result = await this.#session.run(feeds, [...outputs]);
    const out: Record<string, TensorData> = {};
    for (const output of outputs) {
      const value = result[output];
      if (!value)
        throw new StudioError('MODEL_INVALID', `${this.file} produced no output named "${output}".`);
      const dims = [...value.dims];
      if (value.type === 'float32' && value.data instanceof Float32Array) {
        out[output] = { type: 'float32', data: value.data, dims };
      } else if (value.type === 'int64' && value.data instanceof BigInt64Array) {
        out[output] = { type: 'int64', data: value.data, dims };
      } else {
        throw new StudioError(
          'MODEL_INVALID',
          `${this.file} produced "${output}" as ${value.type}, which the studio does not read (float32 or int64).`,
        );
      }
    }
    return out;
  }

  /** Frees the native session. Calling it again does nothing. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#session.release();
  }
}
