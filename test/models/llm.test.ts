import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import llamaTokenizer from 'llama-tokenizer-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextLayout, FrozenLm } from '../../src-main/engine/llm/frozen-lm';
import { referencePlan } from '../../src-main/engine/protocol/reference';
import { runPlan } from '../../src-main/engine/protocol/run-plan';
import { PAPER_PARAMS } from '../../src-main/engine/protocol/types';
import { writeTinyLlamaGguf } from '../helpers/gguf';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-llm-'));
const modelFile = path.join(dir, 'tiny.gguf');
const prompt = (text: string) => llamaTokenizer.encode(text, true, true);

describe('frozen LM over node-llama-cpp (a real GGUF written by the test)', () => {
  let lm: FrozenLm;
  beforeAll(async () => {
    // Large weights give clear winners, so llama.cpp's batch-size-dependent rounding cannot flip a prediction.
    writeTinyLlamaGguf(modelFile, { seed: 3, std: 4 });
    lm = await FrozenLm.load(modelFile, { sequences: 4, contextSize: 1024 });
  });
  afterAll(async () => {
    await lm.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('generates exactly the requested number of image words for each prompt', async () => {
    const prompts = ['The cat sat', 'Once upon a time', 'Input: < 1 2 3 >', 'A'].map(prompt);
    const out = await lm.generate(prompts, 3);
    expect(out).toHaveLength(4);
    for (const generation of out) {
      expect(generation.ids).toHaveLength(3);
      for (const id of generation.ids) expect(id).toBeGreaterThanOrEqual(259);
      for (const p of generation.confidences) expect(p).toBeGreaterThan(0);
    }
  });

  it('reuses the cached prefix for one prompt after another, predicting what a fresh cache predicts', async () => {
    const shared = prompt('Learning a new language and predict the 2 tokens following the examples.\n');
    const prompts = Array.from({ length: 6 }, (_, i) => [
      ...shared,
      ...llamaTokenizer.encode(`case ${i * 7}`, false, true),
    ]);
    const reused: number[][] = [];
    let evaluated = 0;
    for (const p of prompts) {
      const [g] = await lm.generate([p], 2, { onPromptDone: (_i, n) => (evaluated += n) });
      reused.push(g?.ids ?? []);
    }
    const naive = await lm.generate(prompts, 2, { naive: true });
    const clear = naive.flatMap((g, i) => (g.confidences.every((c) => c >= 0.6) ? [i] : []));
    expect(clear.length).toBeGreaterThanOrEqual(3);
    for (const i of clear) expect(reused[i]).toEqual(naive[i]?.ids);
    // After the first prompt, the shared instruction comes from the KV cache.
    const total = prompts.reduce((n, p) => n + p.length + 1, 0);
    expect(evaluated).toBeLessThan(total - (prompts.length - 1) * (shared.length - 1));
  });

  it('batches independent prompts across sequences with the predictions of the naive loop', async () => {
    // Batches of different sizes take different matrix kernels in llama.cpp, so a near-tie may flip between the
    // two paths. A model with large weights has clear winners; every prompt whose words won with probability
    // >= 0.6 at both steps (the runner-up had < 0.4) must come out the same.
    const file = path.join(dir, 'decisive.gguf');
    writeTinyLlamaGguf(file, { seed: 3, std: 4 });
    const decisive = await FrozenLm.load(file, { sequences: 2, contextSize: 1024 });
    try {
      const prompts = Array.from({ length: 12 }, (_, i) => prompt(`The number ${i * 13} is followed by`));
      const batched = await decisive.generate(prompts, 2);
      const naive = await decisive.generate(prompts, 2, { naive: true });
      const clear = naive.flatMap((g, i) => (g.confidences.every((c) => c >= 0.6) ? [i] : []));
      expect(clear.length).toBeGreaterThanOrEqual(6);
      for (const i of clear) expect(batched[i]?.ids).toEqual(naive[i]?.ids);
    } finally {
      await decisive.dispose();
    }
  });

  it('spreads a one-thread model over a context per sequence, up to the cores, with the same words', async () => {
    const cores = os.availableParallelism();
    expect(contextLayout(4, 1)).toEqual(cores >= 4 ? [1, 1, 1, 1] : cores >= 2 ? [2, 2] : [4]);
    expect(contextLayout(3, 1)).toEqual(cores >= 3 ? [1, 1, 1] : cores >= 2 ? [2, 1] : [3]);
    // Threads the user chose, or several threads for a bigger model: one context holds every sequence.
    expect(contextLayout(4, 0)).toEqual([4]);
    expect(contextLayout(4, 8)).toEqual([4]);
    expect(lm.contextCount).toBe(contextLayout(4, 1).length);

    const file = path.join(dir, 'decisive-contexts.gguf');
    writeTinyLlamaGguf(file, { seed: 3, std: 4 });
    const oneContext = await FrozenLm.load(file, { sequences: 2, contextSize: 1024, threads: 1 });
    const spread = await FrozenLm.load(file, { sequences: 2, contextSize: 1024 });
    try {
      expect(oneContext.contextCount).toBe(1);
      expect(spread.contextCount).toBe(Math.min(2, cores));
      const prompts = Array.from({ length: 12 }, (_, i) => prompt(`The number ${i * 17} comes before`));
      const shared = await oneContext.generate(prompts, 2);
      const apart = await spread.generate(prompts, 2);
      const clear = shared.flatMap((g, i) => (g.confidences.every((c) => c >= 0.6) ? [i] : []));
      expect(clear.length).toBeGreaterThanOrEqual(6);
      for (const i of clear) expect(apart[i]?.ids).toEqual(shared[i]?.ids);
    } finally {
      await oneContext.dispose();
      await spread.dispose();
    }
  });

  it('runs a reference-protocol plan sequentially, reproducibly', async () => {
    const clean = Array.from({ length: 256 }, (_, i) => 3000 + i * 7);
    const plan = referencePlan('outpaint', { clean, corrupted: clean }, PAPER_PARAMS, 1);
    const first = await runPlan(plan, lm);
    const second = await runPlan(plan, lm);
    expect(first.sequence).toEqual(second.sequence);
    expect(first.sequence.slice(0, 128)).toEqual(clean.slice(0, 128));
    expect(first.prompts).toBe(64);
    expect(first.confidence.size).toBe(128);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(lm.generate([prompt('hello')], 2, { signal: controller.signal })).rejects.toMatchObject({
      code: 'JOB_CANCELLED',
    });
  });
});

describe('frozen LM refuses what it cannot use', () => {
  it('refuses a GGUF whose vocabulary is not LLaMA-2', async () => {
    const file = path.join(dir, 'foreign.gguf');
    fs.mkdirSync(dir, { recursive: true });
    const tokens = llamaTokenizer.vocabById.slice();
    tokens[5000] = 'banana';
    writeTinyLlamaGguf(file, { tokens });
    await expect(FrozenLm.load(file)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    await expect(FrozenLm.load(file)).rejects.toThrow(
      /foreign\.gguf does not use LLaMA-2's vocabulary \(token 5000 is "banana"/,
    );
  });

  it('refuses a GGUF with a vocabulary of another size', async () => {
    const file = path.join(dir, 'small-vocab.gguf');
    writeTinyLlamaGguf(file, {
      tokens: ['<unk>', '<s>', '</s>', ...Array.from({ length: 997 }, (_, i) => `t${i}`)],
    });
    await expect(FrozenLm.load(file)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    await expect(FrozenLm.load(file)).rejects.toThrow(/1000-token vocabulary, not LLaMA-2's 32,000/);
  });

  it('refuses a file that is not GGUF, and a missing file', async () => {
    const file = path.join(dir, 'not-a-model.gguf');
    fs.writeFileSync(file, 'hello');
    await expect(FrozenLm.load(file)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    await expect(FrozenLm.load(path.join(dir, 'missing.gguf'))).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
  });
});
