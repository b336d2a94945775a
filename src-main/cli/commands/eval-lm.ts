import path from 'node:path';
import { parseArgs } from 'node:util';
import llamaTokenizer from 'llama-tokenizer-js';
import type { ControlledEvaluateInputItem } from 'node-llama-cpp';
import { StudioError } from '../../engine/errors';
import { loadImageFile } from '../../engine/image/decode';
import { view128 } from '../../engine/image/view';
import {
  copyCases,
  observedIds,
  repeatCases,
  uniformIds,
  type CopySetting,
  type IdSampler,
} from '../../engine/llm/copy-test';
import { FrozenLm } from '../../engine/llm/frozen-lm';
import { writeFigures } from '../../engine/llm/measured';
import {
  documentLines,
  encodeDocument,
  heldOutDocuments,
  readDocument,
  spread,
} from '../../engine/llm/heldout';
import { defaultLmPath } from '../../engine/llm/models';
import { defaultResourcesDir } from '../../engine/paths';
import { SampleLibrary } from '../../engine/samples';
import { defaultPackDir } from '../../engine/tokenizer/packs';
import { V2LTokenizer } from '../../engine/tokenizer/tokenizer';
import { printResult } from '../command';

export const EVAL_LM_HELP = `eval lm [--model GGUF] [--cases N] [--text DIR] [--val-tokens N] [--record] [--json]

Measures the language model THROUGH node-llama-cpp (default: the shipped GGUF):
  copy_accuracy_noisy10 / clean10 / noisy5   the in-context copy test in the reference protocol's prompt shape
      (10 or 5 examples of 16 ids -> 2 ids, each id replaced with probability 0.50..0.23 when noisy), greedy,
      accuracy over the 2 generated ids; the lower of two id distributions: uniform over 259..31999 (_uniform)
      and the ids the default tokenizer produces on the bundled photos (_tokenizer)
  val_loss              nats per token on windows of the documents the model held out (heldout.json)
  repeat_copy_accuracy  the generic repeat-copy test (a span of 24 ids in held-out text, repeated after a gap):
      teacher-forced greedy accuracy on ids 2..24 of the repeat, the mean over both id distributions; with
      val_loss it is what checkpoints are chosen by (the copy tests above are the restoration prompt's shape)
  tokenizer_parity      share of 1,000 held-out lines that llama.cpp tokenises exactly like llama-tokenizer-js
  prompt_tokens_per_s   prompt evaluation speed (copy-test prompts, batched as the restoration runs them)
  gen_tokens_per_s      greedy generation speed of one sequence
--record writes val_loss, the noisy10/clean10 copy figures and repeat_copy_accuracy to measured.json next to the
GGUF (with its SHA-256), where Settings and the Models line show them beside the model's name.`;

/** Every id the default tokenizer produces on the bundled sample photos: what image prompts are made of. */
async function tokenizerIds(): Promise<number[]> {
  const samples = new SampleLibrary(path.join(defaultResourcesDir(), 'samples'));
  const views = [];
  for (const sample of samples.list())
    views.push(view128((await loadImageFile(samples.pathOf(sample.id))).image));
  const tokenizer = await V2LTokenizer.load(await defaultPackDir());
  try {
    return (await tokenizer.encode(views)).flatMap((grid) => Array.from(grid.ids));
  } finally {
    await tokenizer.dispose();
  }
}

async function copyAccuracy(
  lm: FrozenLm,
  setting: CopySetting,
  sample: IdSampler,
  count: number,
  seed: number,
) {
  const cases = copyCases(setting, count, sample, seed);
  const started = performance.now();
  const generations = await lm.generate(
    cases.map((c) => c.prompt),
    2,
  );
  const seconds = (performance.now() - started) / 1000;
  let correct = 0;
  generations.forEach((g, i) => {
    const target = cases[i]?.target ?? [0, 0];
    correct += (g.ids[0] === target[0] ? 1 : 0) + (g.ids[1] === target[1] ? 1 : 0);
  });
  return {
    accuracy: correct / (2 * cases.length),
    promptTokens: cases.reduce((n, c) => n + c.prompt.length, 0),
    seconds,
  };
}

/** Teacher-forced greedy accuracy on the repeated span of each case (see repeatCases). */
async function repeatCopyAccuracy(lm: FrozenLm, text: readonly number[], sampler: IdSampler, count: number) {
  let hit = 0;
  let total = 0;
  for (const c of repeatCases(text, count, sampler, 4242)) {
    const predicted = await lm.withSequence(async (sequence) => {
      const input = c.tokens.map((token, i) =>
        i >= c.repeatStart && i < c.tokens.length - 1
          ? [token, { generateNext: { probabilities: true } }]
          : token,
      );
      const output = await sequence.controlledEvaluate(input as ControlledEvaluateInputItem[]);
      return output.map((item) => {
        let best = -1;
        let bestP = -1;
        for (const [token, p] of item?.next.probabilities ?? []) {
          if (p > bestP) [best, bestP] = [token, p];
        }
        return best;
      });
    });
    for (let i = c.repeatStart; i < c.tokens.length - 1; i++) {
      hit += predicted[i] === c.tokens[i + 1] ? 1 : 0;
      total += 1;
    }
  }
  return hit / total;
}

export async function evalLm(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      cases: { type: 'string', default: '100' },
      text: { type: 'string', default: path.resolve('..', 'shared', 'text') },
      'val-tokens': { type: 'string', default: '2048' },
      record: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const modelFile = values.model ? path.resolve(values.model) : defaultLmPath();
  const count = Number(values.cases);
  const valTokens = Number(values['val-tokens']);
  if (!Number.isInteger(count) || count < 1)
    throw new StudioError('INVALID_ARGUMENT', '--cases takes a whole number >= 1.');
  const log = (message: string) => process.stderr.write(`${message}\n`);

  const documents = heldOutDocuments(modelFile).map((d) => readDocument(values.text, d));
  const samplers: Record<string, IdSampler> = {
    uniform: uniformIds,
    tokenizer: observedIds(await tokenizerIds()),
  };
  const lm = await FrozenLm.load(modelFile);
  try {
    const result: Record<string, number | string> = {};
    let promptTokens = 0;
    let promptSeconds = 0;
    for (const setting of ['noisy10', 'clean10', 'noisy5'] as const) {
      let worst = 1;
      for (const [name, sampler] of Object.entries(samplers)) {
        const r = await copyAccuracy(lm, setting, sampler, count, setting.length * 1000 + name.length);
        result[`copy_accuracy_${setting}_${name}`] = Number(r.accuracy.toFixed(4));
        worst = Math.min(worst, r.accuracy);
        promptTokens += r.promptTokens;
        promptSeconds += r.seconds;
        log(`copy ${setting} ${name}: ${r.accuracy.toFixed(4)}`);
      }
      result[`copy_accuracy_${setting}`] = Number(worst.toFixed(4));
    }

    // Held-out loss: evenly spaced windows of 256 tokens over the held-out documents, as in training.
    const stream = documents.flatMap((text) => encodeDocument(text));
    const windows = Math.max(1, Math.round(valTokens / 256));
    let nll = 0;
    let scored = 0;
    for (let w = 0; w < windows; w++) {
      const start = Math.floor((w * (stream.length - 257)) / Math.max(1, windows - 1));
      const logProbs = await lm.tokenLogProbs(stream.slice(start, start + 257));
      nll -= logProbs.reduce((a, b) => a + b, 0);
      scored += logProbs.length;
    }
    result['val_loss'] = Number((nll / scored).toFixed(4));
    log(`val_loss ${result['val_loss']} over ${scored} tokens`);

    const repeat: number[] = [];
    for (const [name, sampler] of Object.entries(samplers)) {
      const accuracy = await repeatCopyAccuracy(lm, stream, sampler, Math.min(count, 50));
      result[`repeat_copy_accuracy_${name}`] = Number(accuracy.toFixed(4));
      repeat.push(accuracy);
      log(`repeat copy ${name}: ${accuracy.toFixed(4)}`);
    }
    result['repeat_copy_accuracy'] = Number((repeat.reduce((a, b) => a + b, 0) / repeat.length).toFixed(4));

    const lines = spread(documents.flatMap(documentLines), 1000);
    const same = lines.filter((line) => {
      const a = lm.tokenize(line);
      const b = llamaTokenizer.encode(line, false, true);
      return a.length === b.length && a.every((id, i) => id === b[i]);
    }).length;
    result['tokenizer_parity'] = Number((same / lines.length).toFixed(4));

    result['prompt_tokens_per_s'] = Math.round(promptTokens / promptSeconds);
    const genStarted = performance.now();
    const [generation] = await lm.generate([llamaTokenizer.encode('Once upon a time', true, true)], 64, {
      naive: true,
    });
    result['gen_tokens_per_s'] = Math.round(
      (generation?.ids.length ?? 0) / ((performance.now() - genStarted) / 1000),
    );
    result['model'] = path.basename(modelFile);
    if (values.record === true) {
      const record = writeFigures(modelFile, {
        measuredOn: new Date().toISOString().slice(0, 10),
        command: `npm run -s v2l -- eval lm --cases ${count} --val-tokens ${valTokens}`,
        valLoss: result['val_loss'],
        copyNoisy10: Number(result['copy_accuracy_noisy10']),
        copyClean10: Number(result['copy_accuracy_clean10']),
        repeatCopy: result['repeat_copy_accuracy'],
      });
      log(`recorded in ${record}`);
    }
    printResult(result, values.json === true);
  } finally {
    await lm.dispose();
  }
}
