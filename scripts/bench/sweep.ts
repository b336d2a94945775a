/**
 * Threads x parallel sequences: the studio's own FrozenLm loaded with each combination the machine allows, timed
 * on the same prompts (the first image's, capped), and its predicted words compared with the default choice's;
 * beside each, the same prompts through node-llama-cpp alone on as many threads. This measures what FrozenLm's
 * defaults pick against what the hardware could give.
 */
import os from 'node:os';
import { FrozenLm } from '../../src-main/engine/llm/frozen-lm';
import { RawLlama, type RecordedCall } from './raw-llama';

export interface SweepPoint {
  readonly threads: number;
  readonly sequences: number;
  readonly prompt_tokens_per_s: number;
  /** The same prompts through node-llama-cpp alone (./raw-llama) on as many threads. */
  readonly raw_prompt_tokens_per_s: number;
  readonly studio_vs_raw: number;
  /** Whether every predicted id equals the one FrozenLm's default threads and sequences predict. */
  readonly identical_predictions: boolean;
}

export function threadCandidates(): number[] {
  const cores = os.availableParallelism();
  const list = [1, 2, 4, 8, 16, cores].filter((t) => t <= cores);
  return [...new Set(list)].sort((a, b) => a - b);
}

export const SEQUENCE_CANDIDATES = [1, 2, 4, 8] as const;

/** The first calls, cut to at most `maxPrompts` prompts in all. */
export function capCalls(calls: readonly RecordedCall[], maxPrompts: number): RecordedCall[] {
  const out: RecordedCall[] = [];
  let left = maxPrompts;
  for (const call of calls) {
    if (left <= 0) break;
    const prompts = call.prompts.slice(0, left);
    out.push({ prompts, steps: call.steps });
    left -= prompts.length;
  }
  return out;
}

async function timeCalls(lm: FrozenLm, calls: readonly RecordedCall[]) {
  const ids: number[] = [];
  let tokens = 0;
  const started = performance.now();
  for (const call of calls) {
    const generations = await lm.generate(call.prompts, call.steps);
    for (const g of generations) ids.push(...g.ids);
    tokens += call.prompts.reduce((n, p) => n + p.length, 0);
  }
  return { seconds: (performance.now() - started) / 1000, tokens, ids };
}

export async function sweep(
  file: string,
  calls: readonly RecordedCall[],
  log: (message: string) => void,
): Promise<SweepPoint[]> {
  let reference: number[];
  {
    await using lm = await FrozenLm.load(file);
    reference = (await timeCalls(lm, calls)).ids;
  }
  const points: SweepPoint[] = [];
  for (const threads of threadCandidates()) {
    let rawTps: number;
    {
      await using raw = await RawLlama.load(file, threads);
      await raw.run(capCalls(calls, 2));
      const run = await raw.run(calls);
      rawTps = run.promptTokens / run.seconds;
    }
    log(`  threads ${threads}, node-llama-cpp alone: ${rawTps.toFixed(0)} prompt tokens/s`);
    for (const sequences of SEQUENCE_CANDIDATES) {
      await using lm = await FrozenLm.load(file, { threads, sequences });
      await timeCalls(lm, capCalls(calls, Math.max(sequences, 2)));
      const run = await timeCalls(lm, calls);
      const point = {
        threads,
        sequences,
        prompt_tokens_per_s: run.tokens / run.seconds,
        raw_prompt_tokens_per_s: rawTps,
        studio_vs_raw: run.tokens / run.seconds / rawTps,
        identical_predictions:
          run.ids.length === reference.length && run.ids.every((id, i) => id === reference[i]),
      };
      log(
        `  threads ${threads}, sequences ${sequences}: ${point.prompt_tokens_per_s.toFixed(0)} prompt tokens/s, ` +
          `${point.studio_vs_raw.toFixed(2)} of node-llama-cpp alone` +
          (point.identical_predictions ? '' : ' (predictions differ)'),
      );
      points.push(point);
    }
  }
  return points;
}
