import type { Generation, LanguageModelBackend } from '../llm/backend';
import { writeBack, type RestorationPlan } from './types';

export interface PlanProgress {
  readonly done: number;
  readonly of: number;
  readonly tokensPerSecond: number;
}

export interface PlanResult {
  /** The final sequence: global tokens, then the 256 local words with predictions written in. */
  readonly sequence: number[];
  /** The model's probability for each predicted position of the sequence (other positions absent). */
  readonly confidence: Map<number, number>;
  readonly prompts: number;
  readonly promptTokens: number;
  /** Tokens actually evaluated (prompt tokens not served from the KV cache, plus generated ones). */
  readonly evaluatedTokens: number;
  readonly seconds: number;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly naive?: boolean;
  readonly onProgress?: (progress: PlanProgress) => void;
  /** Each prediction as soon as it is made: sequence position of its first word, the ids, their probabilities. */
  readonly onPredicted?: (start: number, ids: readonly number[], probabilities: readonly number[]) => void;
}

/**
 * Runs a restoration plan on a frozen LM: sequential plans one prompt at a time, each prediction written back
 * before the next prompt is built; independent plans all at once, batched across the LM's sequences.
 */
export async function runPlan(
  plan: RestorationPlan,
  lm: LanguageModelBackend,
  options: RunOptions = {},
): Promise<PlanResult> {
  const started = performance.now();
  const working = [...plan.initial];
  const confidence = new Map<number, number>();
  let promptTokens = 0;
  let evaluatedTokens = 0;
  let done = 0;
  const report = () => {
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.({
      done,
      of: plan.starts.length,
      tokensPerSecond: seconds > 0 ? evaluatedTokens / seconds : 0,
    });
  };
  const generateOptions = {
    ...(options.signal ? { signal: options.signal } : {}),
    naive: options.naive === true,
    onPromptDone: (index: number, evaluated: number, generation: Generation) => {
      evaluatedTokens += evaluated;
      done += 1;
      // Batched prompts finish one by one long before the batch returns: their words are shown as they come.
      if (!plan.sequential) {
        options.onPredicted?.(plan.starts[index] ?? 0, generation.ids, generation.confidences);
      }
      report();
    },
  };
  const record = (start: number, ids: readonly number[], probabilities: readonly number[]) => {
    writeBack(working, start, ids);
    if (plan.sequential) options.onPredicted?.(start, ids, probabilities);
    probabilities.forEach((p, i) => {
      if (start + i < working.length) confidence.set(start + i, p);
    });
  };

  if (plan.sequential) {
    for (const start of plan.starts) {
      const prompt = plan.promptAt(start, working);
      promptTokens += prompt.length;
      const [generation] = await lm.generate([prompt], plan.step, generateOptions);
      if (generation) record(start, generation.ids, generation.confidences);
    }
  } else {
    const prompts = plan.starts.map((start) => plan.promptAt(start, plan.initial));
    promptTokens = prompts.reduce((sum, p) => sum + p.length, 0);
    const generations = await lm.generate(prompts, plan.step, generateOptions);
    generations.forEach((generation, i) =>
      record(plan.starts[i] ?? 0, generation.ids, generation.confidences),
    );
  }
  return {
    sequence: working,
    confidence,
    prompts: plan.starts.length,
    promptTokens,
    evaluatedTokens,
    seconds: (performance.now() - started) / 1000,
  };
}
