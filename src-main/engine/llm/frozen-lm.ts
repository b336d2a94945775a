import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StudioError } from '../errors';
import type { Generation, GenerateOptions, LanguageModelBackend } from './backend';
import { readCheckedGguf } from './gguf-file';
import { throwIfCancelled } from '../jobs';
import { FIRST_IMAGE_TOKEN_ID, vocabularyPieces } from '../tokenizer/vocabulary';
import {
  llamaRuntime,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
  TokenBias,
  type ControlledEvaluateInputItem,
} from './runtime';
import { SequenceGenerator } from './sequence-generator';

export interface FrozenLmOptions {
  /**
   * Parallel sequences in one context: independent prompts are batched across them. Defaults to 2: on a 2-core
   * machine more sequences only lengthened each batched step (measured on a small GGUF).
   */
  readonly sequences?: number;
  /** Tokens per sequence. Defaults to 1,024: a reference prompt is about 350; llama.cpp attends over the whole cache. */
  readonly contextSize?: number;
  /** CPU threads; 0 or undefined picks from the hardware. */
  readonly threads?: number;
}

export type { Generation, GenerateOptions } from './backend';
export { bestWord } from './sequence-generator';

/** Parallel sequences when the caller does not choose (see FrozenLmOptions.sequences). */
export const DEFAULT_SEQUENCES = 2;

/**
 * A frozen LLaMA-vocabulary language model behind node-llama-cpp, used only for fixed-length greedy generation
 * over raw token ids. Prompts are never re-tokenised from text here: image words go in as the ids they are.
 */
export class FrozenLm implements LanguageModelBackend {
  private disposed = false;

  private constructor(
    readonly file: string,
    readonly name: string,
    private readonly model: LlamaModel,
    private readonly contexts: LlamaContext[],
    private readonly sequences: LlamaContextSequence[],
    readonly device: string,
    private readonly nonWordBias: TokenBias,
  ) {}

  static async load(file: string, options: FrozenLmOptions = {}): Promise<FrozenLm> {
    const summary = await checkLlama2Gguf(file);
    const llama = await llamaRuntime();
    const model = await llama.loadModel({ modelPath: file });
    const sequenceCount = options.sequences ?? DEFAULT_SEQUENCES;
    const chosenThreads = options.threads !== undefined && options.threads > 0;
    const threads = chosenThreads ? (options.threads ?? 1) : defaultThreads(fs.statSync(file).size);
    const layout = contextLayout(sequenceCount, chosenThreads ? 0 : threads);
    const contexts: LlamaContext[] = [];
    for (const count of layout)
      contexts.push(
        await model.createContext({
          sequences: count,
          contextSize: (options.contextSize ?? 1024) * count,
          threads,
        }),
      );
    const sequences = contexts.flatMap((context, c) =>
      Array.from({ length: layout[c] ?? 0 }, () => context.getSequence()),
    );
    // llama.cpp offloads as many layers as fit (gpuLayers 'auto'); none offloaded means the CPU does the work.
    const device =
      llama.gpu === false || model.gpuLayers === 0
        ? 'CPU'
        : `GPU (${llama.gpu}, ${model.gpuLayers} of ${model.fileInsights.totalLayers} layers)`;
    const nonWordBias = new TokenBias(model.tokenizer);
    for (let id = 0; id < FIRST_IMAGE_TOKEN_ID; id++) nonWordBias.set(id as Token, 'never');
    return new FrozenLm(
      file,
      summary.name ?? path.basename(file),
      model,
      contexts,
      sequences,
      device,
      nonWordBias,
    );
  }

  get sequenceCount(): number {
    return this.sequences.length;
  }

  /** The llama.cpp contexts the sequences are spread over (see contextLayout). */
  get contextCount(): number {
    return this.contexts.length;
  }

  /** Threads each context decodes on. */
  get threadsPerContext(): number {
    return this.contexts[0]?.currentThreads ?? 0;
  }

  /**
   * Greedy generation of exactly `steps` ids for each prompt. Several prompts are batched across the context's
   * sequences, each sequence taking the next waiting prompt as soon as it is free. A sequence keeps its KV cache
   * between prompts, so the prefix a prompt shares with the one before it on that sequence (the instruction every
   * restoration prompt starts with, or more for the sequential in/outpainting loop) is not evaluated again.
   * `naive` is the authors' loop: one sequence, emptied before every prompt.
   */
  async generate(
    prompts: readonly (readonly number[])[],
    steps: number,
    options: GenerateOptions = {},
  ): Promise<Generation[]> {
    this.assertUsable();
    const results: Generation[] = new Array<Generation>(prompts.length);
    const naive = options.naive === true;
    const parallel = naive ? 1 : Math.min(this.sequences.length, Math.max(1, prompts.length));
    let next = 0;
    const worker = async (sequence: LlamaContextSequence) => {
      const generator = new SequenceGenerator(sequence, this.nonWordBias);
      try {
        while (next < prompts.length) {
          const index = next++;
          if (options.signal) throwIfCancelled(options.signal);
          const { generation, evaluated } = await generator.run(prompts[index] ?? [], steps, !naive);
          results[index] = generation;
          options.onPromptDone?.(index, evaluated, generation);
        }
      } finally {
        await generator.close();
      }
    };
    await Promise.all(this.sequences.slice(0, parallel).map(worker));
    return results;
  }

  /** llama.cpp's own tokenisation of `text` (no BOS), to check it against the LLaMA-2 reference tokenizer. */
  tokenize(text: string): number[] {
    this.assertUsable();
    return [...this.model.tokenize(text)];
  }

  /**
   * Natural-log probability the model gives each token of `tokens` after the ones before it (entry i is for
   * token i + 1). Evaluated from an empty sequence with the full distribution at every position: exact, slow.
   */
  async tokenLogProbs(tokens: readonly number[]): Promise<number[]> {
    this.assertUsable();
    const sequence = this.sequences[0];
    if (!sequence) throw new StudioError('INTERNAL', 'The language model has no sequence.');
    await sequence.clearHistory();
    const input = tokens.map((token, i) =>
      i < tokens.length - 1 ? [token, { generateNext: { probabilities: true } }] : token,
    );
    const output = await sequence.controlledEvaluate(input as ControlledEvaluateInputItem[]);
    await sequence.clearHistory();
    return tokens
      .slice(1)
      .map((next, i) => Math.log(output[i]?.next.probabilities?.get(next as Token) ?? 1e-30));
  }

  /**
   * Lends the first sequence, emptied, to `work` (free text and label scoring in ./text), and empties it again
   * afterwards, so the next restoration never reuses a prefix it did not write. `work` must not keep it.
   */
  async withSequence<T>(work: (sequence: LlamaContextSequence) => Promise<T>): Promise<T> {
    this.assertUsable();
    const sequence = this.sequences[0];
    if (!sequence) throw new StudioError('INTERNAL', 'The language model has no sequence.');
    await sequence.clearHistory();
    try {
      return await work(sequence);
    } finally {
      if (!this.disposed) await sequence.clearHistory();
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const context of this.contexts) await context.dispose();
    await this.model.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private assertUsable(): void {
    if (this.disposed) throw new StudioError('INTERNAL', 'The language model was already unloaded.');
  }
}

/**
 * Checks, without loading its weights, that `file` is a readable GGUF with LLaMA-2's token table; returns its
 * metadata. Used before loading, and when the user picks a model file, so a wrong file is refused at once.
 */
export async function checkLlama2Gguf(file: string) {
  const summary = await readCheckedGguf(file);
  assertLlama2Vocabulary(file, summary.tokens);
  return summary;
}

/** Refuses models whose token table is not LLaMA-2's: their ids would mean different words. */
export function assertLlama2Vocabulary(file: string, tokens: readonly string[] | undefined): void {
  const name = path.basename(file);
  const expected = vocabularyPieces();
  if (!tokens) {
    throw new StudioError(
      'MODEL_INVALID',
      `${name} has no token table (tokenizer.ggml.tokens): it cannot be checked.`,
    );
  }
  if (tokens.length !== expected.length) {
    throw new StudioError(
      'MODEL_INVALID',
      `${name} has a ${tokens.length}-token vocabulary, not LLaMA-2's 32,000: image words would be misread. ` +
        'Use a LLaMA-2-family GGUF (LLaMA-2, TinyLlama, Vicuna, …).',
    );
  }
  const mismatch = tokens.findIndex((token, id) => token !== expected[id]);
  if (mismatch >= 0) {
    throw new StudioError(
      'MODEL_INVALID',
      `${name} does not use LLaMA-2's vocabulary (token ${mismatch} is ${JSON.stringify(tokens[mismatch])}, ` +
        `expected ${JSON.stringify(expected[mismatch])}). Use a LLaMA-2-family GGUF.`,
    );
  }
}

/**
 * How many sequences each llama.cpp context holds. A model the studio gives one thread (a small one, see
 * defaultThreads) gets one context per sequence, up to the machine's cores: each context decodes on its own thread
 * and keeps its own logits, so one sequence's decode runs while another's word is being picked (node-llama-cpp
 * sorts all 32,000 candidates for each word's probability, a fixed cost per word that on a small model weighs as
 * much as evaluating 40 prompt tokens). A batch in one context holds one sequence's tokens, as the authors' loop
 * does; the words are the same (the eval naive identity check in `npm run bench` holds it). Where the threads were
 * chosen by the user, or a model is big enough to be given several, all sequences share one context.
 * `autoThreads` is the thread count picked from the hardware, 0 when the user chose.
 */
export function contextLayout(sequences: number, autoThreads: number): number[] {
  const contexts = autoThreads === 1 ? Math.max(1, Math.min(sequences, os.availableParallelism())) : 1;
  const per = Math.ceil(sequences / contexts);
  return Array.from({ length: Math.ceil(sequences / per) }, (_, c) => Math.min(per, sequences - c * per));
}

/**
 * Small models decode fastest on one thread (thread hand-off costs more than the matmuls: 1,150 vs 86 tokens/s
 * measured on a tiny GGUF); bigger ones get the cores. The line is from `npm run bench`'s sweep on 2 cores: the
 * bundled 19 MB model evaluates its prompts at 14,900 tokens/s on 1 thread against 5,400 on 2, a 220 MB
 * (110 M-parameter) one at 330 against 600, with identical predictions.
 */
export function defaultThreads(fileBytes: number): number {
  return fileBytes < 64_000_000 ? 1 : Math.max(1, Math.min(8, os.availableParallelism()));
}
