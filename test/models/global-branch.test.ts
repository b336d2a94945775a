import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../src-shared/contract/api';
import type { AskResult } from '../../src-shared/contract/ask';
import { Engine } from '../../src-main/engine/engine';
import { loadImageFile } from '../../src-main/engine/image/decode';
import { view128 } from '../../src-main/engine/image/view';
import { FrozenLm } from '../../src-main/engine/llm/frozen-lm';
import { defaultLmPath } from '../../src-main/engine/llm/models';
import type { ControlledEvaluateInputItem, Token } from '../../src-main/engine/llm/runtime';
import { V2LTokenizer } from '../../src-main/engine/tokenizer/tokenizer';
import { classificationPrompt, globalWordsText, vqaPrompt } from '../../src-main/engine/understand/prompts';
import { ensureGlobalPack } from '../helpers/global-pack';

const RESOURCES = path.resolve('resources');

/** ln p of each of `tail`'s ids after `head`, from one evaluation of the whole text on an empty sequence. */
async function freshLogProbs(
  lm: FrozenLm,
  head: readonly number[],
  tail: readonly number[],
): Promise<number[]> {
  return lm.withSequence(async (sequence) => {
    const tokens = [...head, ...tail];
    const input = tokens.map((t, i) =>
      i >= head.length - 1 && i < tokens.length - 1 ? [t, { generateNext: { probabilities: true } }] : t,
    ) as ControlledEvaluateInputItem[];
    const output = await sequence.controlledEvaluate(input);
    return tail.map((id, k) =>
      Math.log(output[head.length - 1 + k]?.next.probabilities?.get(id as Token) ?? 0),
    );
  });
}
const sample = (name: string) => path.join(RESOURCES, 'samples', name);

function engineIn(dir: string): Engine {
  return new Engine({ dataDir: dir, resourcesDir: RESOURCES, version: 'test', transport: 'server' });
}

/** Collects the events of one job until it ends; subscribe before starting it, the job emits at once. */
function jobEvents(engine: Engine) {
  const seen: StudioEvent[] = [];
  const listener = (event: StudioEvent) => seen.push(event);
  engine.events.on('event', listener);
  return {
    seen,
    async until(jobId: string): Promise<StudioEvent[]> {
      for (let i = 0; i < 1200; i++) {
        const end = seen.find((e) => e.jobId === jobId && (e.type === 'job.done' || e.type === 'job.failed'));
        if (end) {
          engine.events.off('event', listener);
          // The job's parts and output; its snapshots say the same whole (test/unit/job-snapshots.test.ts).
          return seen.filter((e) => e.jobId === jobId && e.type !== 'job.snapshot');
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`job ${jobId} did not end`);
    },
  };
}

describe('packs without a global branch', () => {
  it('keep Ask disabled, saying why and what to install', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-ask-default-'));
    const engine = engineIn(dir);
    try {
      const availability = await engine.askAvailability();
      expect(availability.available).toBe(false);
      expect(availability.tokenizer).toBe('v2l-default');
      expect(availability.reason).toMatch(/no global branch.*official/);
      const opened = await engine.openSample({ id: 'chelsea' });
      await expect(
        engine.startAsk({ kind: 'vqa', queryImageId: opened.imageId, question: 'what?' }),
      ).rejects.toThrow(/no global branch/);
    } finally {
      await engine.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a pack with a global branch (random weights, converter layout)', () => {
  let dir: string;
  let engine: Engine;
  let tokenizer: V2LTokenizer;
  let lm: FrozenLm;
  const previousPack = process.env['V2L_PACK'];

  beforeAll(async () => {
    const pack = await ensureGlobalPack();
    process.env['V2L_PACK'] = pack;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-ask-global-'));
    engine = engineIn(dir);
    // The same models, loaded separately, to recompute what the engine reports by another path.
    tokenizer = await V2LTokenizer.load(pack);
    lm = await FrozenLm.load(defaultLmPath(), { sequences: 1 });
  }, 600_000);
  afterAll(async () => {
    // Each is set by beforeAll; when that failed, the failure is already reported.
    await Promise.allSettled([engine.dispose(), tokenizer.dispose(), lm.dispose()]);
    if (previousPack === undefined) delete process.env['V2L_PACK'];
    else process.env['V2L_PACK'] = previousPack;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const globalWords = async (file: string) => {
    const [ids] = await tokenizer.encodeGlobal([view128((await loadImageFile(file)).image)]);
    return Array.from(ids ?? []);
  };

  it('makes Ask available', async () => {
    expect(await engine.askAvailability()).toEqual({
      available: true,
      reason: null,
      tokenizer: 'v2l-random-global',
    });
  });

  it('classifies: every label scored by the LM, the best returned, as a fresh evaluation scores them', async () => {
    const [cat, coffee, rocket] = await Promise.all(
      ['chelsea', 'coffee', 'rocket'].map((id) => engine.openSample({ id })),
    );
    const events = jobEvents(engine);
    const { jobId } = await engine.startAsk({
      kind: 'classify',
      queryImageId: rocket?.imageId ?? 0,
      examples: [
        { imageId: cat?.imageId ?? 0, label: 'cat' },
        { imageId: coffee?.imageId ?? 0, label: 'coffee cup' },
      ],
      repeats: 1,
    });
    const seen = await events.until(jobId);
    expect(seen.at(-1)?.type).toBe('job.done');
    const result = (seen.find((e) => e.type === 'ask.result') as { result: AskResult } | undefined)?.result;
    if (!result) throw new Error('no ask.result event');

    const words = {
      cat: await globalWords(sample('chelsea.png')),
      coffee: await globalWords(sample('coffee.png')),
      rocket: await globalWords(sample('rocket.jpg')),
    };
    expect(words.rocket).toHaveLength(21);
    expect(result.queryWords).toEqual(words.rocket.map((id) => ({ id, text: tokenizer.globalText(id) })));
    const text = (ids: number[]) => globalWordsText(ids.map((id) => tokenizer.globalText(id)));
    const prompt = classificationPrompt(
      [
        { label: 'cat', words: text(words.cat) },
        { label: 'coffee cup', words: text(words.coffee) },
      ],
      text(words.rocket),
      1,
    );
    expect(result.prompt).toBe(prompt.text);
    expect(result.promptTokens).toBe(prompt.ids.length);

    expect(result.scores.map((s) => s.label).sort()).toEqual(['cat', 'coffee cup']);
    expect(result.answer).toBe(result.scores[0]?.label);
    expect(result.scores[0]?.logLikelihood).toBeGreaterThanOrEqual(
      result.scores[1]?.logLikelihood ?? Infinity,
    );
    expect(result.scores.reduce((a, s) => a + s.probability, 0)).toBeCloseTo(1, 9);
    for (const [i, label] of prompt.labels.entries()) {
      const ids = prompt.labelIds[i] ?? [];
      const exact = await freshLogProbs(lm, prompt.ids, ids);
      const score = result.scores.find((s) => s.label === label);
      expect(score?.tokens).toBe(ids.length);
      expect(Number.isFinite(score?.logLikelihood)).toBe(true);
      // Batches of another size round f16 matmuls differently: a few thousandths of a nat, far below the gaps
      // between labels that decide the answer.
      expect(Math.abs((score?.logLikelihood ?? NaN) - exact.reduce((a, b) => a + b, 0))).toBeLessThan(0.05);
    }
    expect(seen.some((e) => e.type === 'job.progress' && e.message === 'Scoring the labels')).toBe(true);
  }, 180_000);

  it('answers a question by greedy generation within the token limit', async () => {
    const opened = await engine.openSample({ id: 'coffee' });
    const events = jobEvents(engine);
    const { jobId } = await engine.startAsk({
      kind: 'vqa',
      queryImageId: opened.imageId,
      question: 'What is on the table?',
      maxTokens: 5,
    });
    const seen = await events.until(jobId);
    expect(seen.at(-1)?.type).toBe('job.done');
    const result = (seen.find((e) => e.type === 'ask.result') as { result: AskResult } | undefined)?.result;
    if (!result) throw new Error('no ask.result event');
    const words = await globalWords(sample('coffee.png'));
    const expected = vqaPrompt(
      globalWordsText(words.map((id) => tokenizer.globalText(id))),
      'What is on the table?',
    );
    expect(result.prompt).toBe(expected.text);
    expect(['newline', 'eos', 'limit']).toContain(result.stop);
    const texts = seen.flatMap((e) => (e.type === 'ask.text' ? [e.tokens] : []));
    expect(texts.every((n) => n >= 1 && n <= 5)).toBe(true);
    if (result.stop === 'limit') expect(texts.at(-1)).toBe(5);
  }, 120_000);

  it('cancels an Ask job', async () => {
    const opened = await engine.openSample({ id: 'astronaut' });
    const events = jobEvents(engine);
    const { jobId } = await engine.startAsk({
      kind: 'caption',
      queryImageId: opened.imageId,
      maxTokens: 128,
    });
    // The two would share the language model's sequences, so a restoration waits for the answer.
    await expect(
      engine.startRestore({ imageId: opened.imageId, task: 'inpaint', protocol: 'reference' }),
    ).rejects.toThrow(/Ask job is using the language model/);
    expect(await engine.cancelJob({ jobId })).toBe(true);
    const seen = await events.until(jobId);
    const end = seen.at(-1);
    expect(end?.type).toBe('job.failed');
    expect(end?.type === 'job.failed' && end.error.code).toBe('JOB_CANCELLED');
    expect(seen.some((e) => e.type === 'ask.result')).toBe(false);
  });

  it('restores with the 21 global words first, decodes with them, and stores them with the run', async () => {
    const opened = await engine.openSample({ id: 'chelsea' });
    const events = jobEvents(engine);
    const { jobId } = await engine.startRestore({
      imageId: opened.imageId,
      task: 'inpaint',
      protocol: 'reference',
      seed: 3,
    });
    const seen = await events.until(jobId);
    expect(seen.at(-1)?.type).toBe('job.done');
    const started = seen.find((e) => e.type === 'restore.started');
    const runId = started?.type === 'restore.started' ? started.runId : 0;
    const run = await engine.getRun({ runId });
    // The reference protocol takes the global words of the clean view.
    const clean = view128((await loadImageFile(sample('chelsea.png'))).image);
    const [grid] = await tokenizer.encode([clean]);
    const expected = Array.from(grid?.globalIds ?? []);
    expect(expected).toHaveLength(21);
    expect(run.global).toEqual(expected.map((id) => ({ id, text: tokenizer.globalText(id) })));
    expect(run.grids?.result).toHaveLength(256);
    // The stored decoded image is the global-branch decoder's output for these words, not for any others.
    const resultIds = run.grids?.result.map((c) => c.id) ?? [];
    const decodedFile = path.join(dir, 'runs', String(runId), 'decoded.png');
    const stored = (await loadImageFile(decodedFile)).image;
    const [same] = await tokenizer.decode([resultIds], [expected]);
    const [other] = await tokenizer.decode(
      [resultIds],
      [[...expected].reverse().map((id) => (id + 1) % 11908)],
    );
    const diff = (a: Uint8Array | undefined, b: Uint8Array | undefined) => {
      if (!a || !b || a.length !== b.length) return Infinity;
      let most = 0;
      for (let i = 0; i < a.length; i++) most = Math.max(most, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
      return most;
    };
    expect(diff(stored.data, same?.data)).toBeLessThanOrEqual(1);
    expect(diff(other?.data, same?.data)).toBeGreaterThan(1);
  }, 180_000);
});
