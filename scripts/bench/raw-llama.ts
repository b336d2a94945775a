/**
 * The yardstick inside the process: node-llama-cpp evaluating the exact prompts a restoration sent to the language
 * model, back to back, with no studio code around it. Each prompt starts from an empty sequence and generates as
 * many tokens as the studio asked for (greedy, node-llama-cpp's own sampler), so both sides evaluate the same
 * tokens: the prompt, then each generated token fed back.
 *
 * With `confidence`, each generated token's probability is asked for too, as the studio needs it for every word it
 * predicts (shown and exported beside the word). node-llama-cpp 3.21.1 computes it natively by sorting the whole
 * 32,000-entry candidate list, once per generated token; this replay prices that cost alone.
 */
import {
  llamaRuntime,
  type LlamaContext,
  type LlamaModel,
  type Token,
} from '../../src-main/engine/llm/runtime';

export interface RecordedCall {
  readonly prompts: readonly (readonly number[])[];
  readonly steps: number;
}

export class RawLlama implements AsyncDisposable {
  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
  ) {}

  /** One context with one sequence (1,024 tokens, as each of the studio's sequences has) on `threads` threads. */
  static async load(file: string, threads: number): Promise<RawLlama> {
    const llama = await llamaRuntime();
    const model = await llama.loadModel({ modelPath: file });
    const context = await model.createContext({ sequences: 1, contextSize: 1024, threads });
    return new RawLlama(model, context);
  }

  /** Evaluates every call's prompts in order; returns the seconds it took and the prompt tokens evaluated. */
  async run(
    calls: readonly RecordedCall[],
    options: { confidence?: boolean } = {},
  ): Promise<{ seconds: number; promptTokens: number }> {
    const sequence = this.context.getSequence();
    let promptTokens = 0;
    const started = performance.now();
    try {
      for (const call of calls) {
        for (const prompt of call.prompts) {
          await sequence.clearHistory();
          promptTokens += prompt.length;
          const tokens =
            options.confidence === true
              ? sequence.evaluateWithMetadata(
                  [...prompt] as Token[],
                  { confidence: true },
                  { temperature: 0 },
                )
              : sequence.evaluate([...prompt] as Token[], { temperature: 0 });
          for (let step = 0; step < call.steps; step++) if ((await tokens.next()).done === true) break;
          await tokens.return();
        }
      }
      return { seconds: (performance.now() - started) / 1000, promptTokens };
    } finally {
      await sequence.clearHistory();
      await sequence.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
