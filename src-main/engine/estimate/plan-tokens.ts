import type { BankEntry } from '../protocol/blind';
import { blindPlan } from '../protocol/blind';
import { referencePlan } from '../protocol/reference';
import { CELLS, PAPER_PARAMS, type ProtocolName, type RestorationPlan, type Task } from '../protocol/types';

/** What a restoration asks of the language model, counted before it runs. */
export interface PlanTokens {
  readonly prompts: number;
  /** Tokens of all prompts together. */
  readonly promptTokens: number;
  /** Tokens the model evaluates: prompt tokens not served from a sequence's cache, plus each fed-back word. */
  readonly evaluatedTokens: number;
}

export interface PlanShape {
  readonly task: Task;
  readonly protocol: ProtocolName;
  /** Local cells (0..255) the restoration predicts. */
  readonly cells: readonly boolean[];
  /** Global tokens ahead of the local words (the pack's global branch; 0 without one). */
  readonly globalCount: number;
  /** Bank images a blind deblur/shift/rotation reads (0 otherwise). */
  readonly bankSize: number;
  /** Sequences the LM batches independent prompts over. */
  readonly sequences: number;
}

/**
 * The prompts of a restoration, counted on stand-in words. A prompt's length and how much of it repeats the
 * prompt before it on the same sequence depend on where the predicted cells are, not on which words sit there,
 * so the count needs neither the tokenizer's words nor the model: distinct stand-ins per image and position keep
 * the shared prefixes exactly as long as real words would (a real grid can only repeat more, by chance).
 */
export function countPlanTokens(shape: PlanShape): PlanTokens {
  const { prompts, step, sequential } = standInPrompts(shape);
  // The sequential loop runs on one sequence; batched prompts go to the next free sequence, in turn.
  const sequences = sequential ? 1 : Math.max(1, Math.min(shape.sequences, prompts.length));
  const last: (readonly number[])[] = Array.from({ length: sequences }, () => []);
  let promptTokens = 0;
  let evaluatedTokens = 0;
  prompts.forEach((prompt, i) => {
    const sequence = i % sequences;
    const shared = commonPrefix(last[sequence] ?? [], prompt);
    // The last prompt token is evaluated again even when cached: its logits give the first word.
    evaluatedTokens += Math.max(1, prompt.length - shared) + (step - 1);
    promptTokens += prompt.length;
    last[sequence] = prompt;
  });
  return { prompts: prompts.length, promptTokens, evaluatedTokens };
}

/** The restoration's prompts on stand-in words (valid image-word ids), in the order the LM gets them. */
export function standInPrompts(shape: PlanShape): { prompts: number[][]; step: number; sequential: boolean } {
  const plan = standInPlan(shape);
  const working = [...plan.initial];
  return {
    prompts: plan.starts.map((start) => plan.promptAt(start, working)),
    step: plan.step,
    sequential: plan.sequential,
  };
}

function standInPlan({ task, protocol, cells, globalCount, bankSize }: PlanShape): RestorationPlan {
  // Image words start at 259; each stand-in grid gets its own range so no two grids share a word.
  const grid = (n: number) => Array.from({ length: CELLS }, (_, i) => 1000 + n * CELLS + i);
  const global = Array.from({ length: globalCount }, (_, i) => 500 + i);
  if (protocol === 'reference') {
    return referencePlan(task, { clean: grid(0), corrupted: grid(1), global, cells }, PAPER_PARAMS, 0);
  }
  const bank: BankEntry[] = Array.from({ length: bankSize }, (_, n) => ({
    clean: grid(2 + 2 * n),
    degraded: grid(3 + 2 * n),
  }));
  return blindPlan(
    task,
    { corrupted: grid(1), global, cells, ...(bankSize > 0 ? { bank } : {}) },
    PAPER_PARAMS,
  );
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
