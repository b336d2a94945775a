import path from 'node:path';
import llamaTokenizer from 'llama-tokenizer-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrozenLm } from '../../src-main/engine/llm/frozen-lm';
import type { ControlledEvaluateInputItem, Token } from '../../src-main/engine/llm/runtime';
import { decodeText, generateText, scoreContinuations } from '../../src-main/engine/llm/text';

const MODEL = path.resolve('resources', 'models', 'lm', 'v2l-lm.gguf');
const encode = (text: string, bos = false) => llamaTokenizer.encode(text, bos, true);

/** The bundled GGUF through node-llama-cpp: it knows little English, so these tests check mechanics only. */
describe('LM text: label scoring and greedy generation (bundled GGUF)', () => {
  let lm: FrozenLm;
  beforeAll(async () => {
    lm = await FrozenLm.load(MODEL, { sequences: 2, contextSize: 1024 });
  });
  afterAll(async () => {
    await lm.dispose();
  });

  const prefix = encode('The cat sat on the mat. The dog sat on the', true);
  const labels = ['mat', 'chair', 'big red house'].map((l) => encode(l));

  it('scores each continuation with finite log-probabilities equal to the exact slow path', async () => {
    const scores = await scoreContinuations(lm, prefix, labels);
    expect(scores).toHaveLength(3);
    for (const [i, score] of scores.entries()) {
      const ids = labels[i] ?? [];
      expect(score.ids).toEqual(ids);
      expect(score.logProbs).toHaveLength(ids.length);
      for (const lp of score.logProbs) {
        expect(Number.isFinite(lp)).toBe(true);
        expect(lp).toBeLessThan(0);
      }
      expect(score.logLikelihood).toBeCloseTo(
        score.logProbs.reduce((a, b) => a + b, 0),
        9,
      );
      // The reused prefix must give what a fresh evaluation of the whole text gives.
      const exact = (await lm.tokenLogProbs([...prefix, ...ids])).slice(prefix.length - 1);
      for (const [j, lp] of score.logProbs.entries()) expect(lp).toBeCloseTo(exact[j] ?? NaN, 3);
    }
  });

  it('reports progress per label and refuses empty candidates', async () => {
    const seen: [number, number][] = [];
    await scoreContinuations(lm, prefix, labels, { onScored: (done, of) => seen.push([done, of]) });
    expect(seen).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    await expect(scoreContinuations(lm, prefix, [[]])).rejects.toThrow(/at least one token/);
    await expect(scoreContinuations(lm, [], labels)).rejects.toThrow(/at least one token/);
  });

  it('generates greedily: every token is the argmax of the full distribution, within the limit', async () => {
    const prompt = encode('Once upon a time', true);
    const out = await generateText(lm, prompt, { maxTokens: 6 });
    expect(out.ids.length).toBeGreaterThan(0);
    expect(out.ids.length).toBeLessThanOrEqual(6);
    expect(['newline', 'eos', 'limit', 'separator']).toContain(out.stop);
    if (out.stop === 'limit') expect(out.ids).toHaveLength(6);
    expect(out.text).toBe(decodeText(out.ids).split('\n')[0]?.trim());
    // Recompute each step's distribution on a fresh sequence and check the pick was its most probable token.
    const argmaxes = await lm.withSequence(async (sequence) => {
      const tokens = [...prompt, ...out.ids.slice(0, -1)];
      const input = tokens.map((t, i) =>
        i >= prompt.length - 1 ? [t, { generateNext: { probabilities: true } }] : t,
      ) as ControlledEvaluateInputItem[];
      const output = await sequence.controlledEvaluate(input);
      return out.ids.map((_, k) => {
        const probabilities = output[prompt.length - 1 + k]?.next.probabilities;
        const [first] = probabilities ?? new Map<Token, number>();
        return first?.[0];
      });
    });
    expect(argmaxes).toEqual(out.ids);
  });

  it('stops at a stop string and keeps the text before it', async () => {
    const prompt = encode('A B C D E F A B C D E F A B', true);
    const free = await generateText(lm, prompt, { maxTokens: 6 });
    // A later piece of what the model writes anyway becomes the stop string: the answer must end right before it.
    const stop = decodeText(free.ids.slice(2, 3)).trim();
    expect(stop).not.toBe('');
    const cut = await generateText(lm, prompt, { maxTokens: 6, stopStrings: [stop] });
    expect(cut.stop).toBe('separator');
    expect(cut.text).toBe(free.text.slice(0, free.text.indexOf(stop)).trim());
    expect(cut.ids.length).toBeLessThan(free.ids.length);
  });

  it('is cancelled between tokens, and the model stays usable', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    // A repeated word is what a copying model continues with, so the answer cannot end before the cancel.
    const run = generateText(lm, encode('a a a a a a a a a a', true), {
      maxTokens: 40,
      signal: controller.signal,
      onToken: (_text, n) => {
        seen.push(n);
        if (n === 2) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/cancelled/);
    expect(seen).toEqual([1, 2]);
    const aborted = new AbortController();
    aborted.abort();
    await expect(scoreContinuations(lm, prefix, labels, { signal: aborted.signal })).rejects.toThrow(
      /cancelled/,
    );
    const after = await scoreContinuations(lm, prefix, labels.slice(0, 1));
    expect(Number.isFinite(after[0]?.logLikelihood)).toBe(true);
  });

  it('refuses a prompt longer than the context, naming both sizes', async () => {
    const long = new Array<number>(5000).fill(450);
    await expect(generateText(lm, long, { maxTokens: 4 })).rejects.toThrow(/need 5004 tokens.*holds \d+/);
    await expect(scoreContinuations(lm, long, labels)).rejects.toThrow(/need 5003 tokens.*holds \d+/);
  });
});
