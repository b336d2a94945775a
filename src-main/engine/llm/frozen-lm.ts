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

type GenerateNext = Extract<ControlledEvaluateInputItem, readonly unknown[]>[1]['generateNext'];

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
    private readonly context: LlamaContext,
    private readonly sequences: LlamaContextSequence[],
    readonly device: string,
    private readonly nonWordBias: TokenBias,
  ) {}

  static async load(file: string, options: FrozenLmOptions = {}): Promise<FrozenLm> {
    const summary = await checkLlama2Gguf(file);
    const llama = await llamaRuntime();
    const model = await llama.loadModel({ modelPath: file });
    const sequenceCount = options.sequences ?? 2;
    const context = await model.createContext({
      sequences: sequenceCount,
      contextSize: (options.contextSize ?? 1024) * sequenceCount,
      threads:
        options.threads === undefined || options.threads === 0
          ? defaultThreads(fs.statSync(file).size)
          : options.threads,
    });
    const sequences = Array.from({ length: sequenceCount }, () => context.getSequence());
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
      context,
      sequences,
      device,
      nonWordBias,
    );
  }

  get sequenceCount(): number {
    return this.sequences.length;
  }

  /**
   * Greedy generation of exactly `steps` ids for each prompt. Several prompts are batched across the context's
   * sequences; a single prompt (the sequential in/outpainting loop) runs alone on one sequence, which keeps its KV
   * cache between calls, so a prompt sharing a prefix with the previous one (the instruction, shared
   * examples) only evaluates what differs.
   */
  async generate(
    prompts: readonly (readonly number[])[],
    steps: number,
    options: GenerateOptions = {},
  ): Promise<Generation[]> {
    this.assertUsable();
    const results: Generation[] = new Array<Generation>(prompts.length);
    const parallel =
      options.naive === true ? 1 : Math.min(this.sequences.length, Math.max(1, prompts.length));
    // Trimming one sequence's cache while another sequence evaluates gave wrong predictions with node-llama-cpp
    // 3.21.1 (measured: a few prompts in 400 answered with a neighbour's words, under load). So a cached prefix is
    // reused only when one sequence works alone; batched sequences start every prompt from an empty cache.
    const reusePrefix = options.naive !== true && parallel === 1;
    let next = 0;
    const worker = async (sequence: LlamaContextSequence) => {
      while (next < prompts.length) {
        const index = next++;
        if (options.signal) throwIfCancelled(options.signal);
        const prompt = prompts[index] ?? [];
        if (!reusePrefix) await sequence.clearHistory();
        const { generation, evaluated } = await this.generateOne(sequence, prompt, steps);
        results[index] = generation;
        options.onPromptDone?.(index, evaluated, generation);
      }
    };
    await Promise.all(this.sequences.slice(0, parallel).map(worker));
    return results;
  }

  private async generateOne(sequence: LlamaContextSequence, prompt: readonly number[], steps: number) {
    if (prompt.length === 0)
      throw new StudioError('INVALID_ARGUMENT', 'A prompt must contain at least one token.');
    // Keep the cached prefix shared with this prompt; at least the last prompt token is re-evaluated for logits.
    const keep = Math.min(
      sequence.compareContextTokens(prompt as Token[]).firstDifferentIndex,
      prompt.length - 1,
    );
    if (keep < sequence.nextTokenIndex) {
      await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
    }
    let pending: number[] = prompt.slice(keep);
    let evaluated = 0;
    const ids: number[] = [];
    const confidences: number[] = [];
    for (let step = 0; step < steps; step++) {
      // Fast path: llama.cpp's own greedy pick with <unk>, <s> and the byte pieces banned. EOS cannot be banned
      // that way, so when it wins, the step is redone from the full distribution (the slow, exact path).
      const fast = await this.evaluateLast(sequence, pending, {
        token: true,
        confidence: true,
        options: { temperature: 0, tokenBias: this.nonWordBias },
      });
      evaluated += pending.length;
      let id = fast?.token ?? -1;
      let confidence = fast?.confidence ?? 0;
      if (id < FIRST_IMAGE_TOKEN_ID) {
        await sequence.eraseContextTokenRanges([
          { start: sequence.nextTokenIndex - 1, end: sequence.nextTokenIndex },
        ]);
        const exact = await this.evaluateLast(sequence, pending.slice(-1), { probabilities: true });
        if (!exact?.probabilities)
          throw new StudioError('INTERNAL', 'The language model returned no probabilities.');
        [id, confidence] = bestWord(exact.probabilities);
      }
      ids.push(id);
      confidences.push(confidence);
      pending = [id];
    }
    return { generation: { ids, confidences }, evaluated };
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

  /** Evaluates `tokens` and asks for a next-token result after the last one. */
  private async evaluateLast(
    sequence: LlamaContextSequence,
    tokens: readonly number[],
    generateNext: GenerateNext,
  ) {
    const last = tokens.length - 1;
    const input = tokens.map((token, i) => (i === last ? [token, { generateNext }] : token));
    const output = await sequence.controlledEvaluate(input as ControlledEvaluateInputItem[]);
    return output[last]?.next;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.context.dispose();
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

/**
 * The most probable id that is an image word. The probabilities map is sorted from most to least likely, so
 * this is the argmax over ids >= FIRST_IMAGE_TOKEN_ID; it bans <s>, </s> and byte pieces without a token bias (EOS
 * cannot be banned that way in node-llama-cpp).
 */
export function bestWord(probabilities: ReadonlyMap<number, number>): [id: number, probability: number] {
  for (const [id, probability] of probabilities) if (id >= FIRST_IMAGE_TOKEN_ID) return [id, probability];
  throw new StudioError('INTERNAL', 'The language model gave no probability to any image word.');
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
 * Small models decode fastest on one thread (thread hand-off costs more than the matmuls: 1,150 vs 86 tokens/s
 * measured on a tiny GGUF); bigger ones get the cores. The line is from `npm run bench`'s sweep on 2 cores: the
 * bundled 19 MB model evaluates its prompts at 14,900 tokens/s on 1 thread against 5,400 on 2, a 220 MB
 * (110 M-parameter) one at 330 against 600, with identical predictions.
 */
function defaultThreads(fileBytes: number): number {
  return fileBytes < 64_000_000 ? 1 : Math.max(1, Math.min(8, os.availableParallelism()));
}
