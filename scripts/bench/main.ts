/**
 * `npm run bench [-- --json] [--quick] [--images N] [--task T] [--data DIR] [--sweep | --no-sweep]`: how fast the
 * studio restores, against llama.cpp evaluating the same tokens with the same model. Every number is measured in
 * this run; progress goes to stderr, the result to stdout (a table, or with --json one JSON line).
 *
 * Two models: the bundled LM, and a GGUF with LLaMA-2's vocabulary and random weights in a larger shape
 * (./random-gguf, written once into a cache outside the repository) whose per-token cost stands in for a bigger
 * model's. For each: the studio's LLM time, the same prompts through node-llama-cpp alone (raw), the authors' loop
 * (with the eval naive identity check), llama-bench, and (full form) a threads x sequences sweep. Then the
 * tokenizer's time per image, a 4000x3000 photo end to end, and the server's cold start.
 *
 * --quick (CI): one image, the small random shape, no sweep (unless --sweep). Top-level keys refer to the bundled
 * model; `models` holds both. Ratios are throughputs divided: studio_vs_raw = studio prompt tokens/s / raw prompt
 * tokens/s (studio_vs_raw_confident: against the same replay asking for each word's probability, as the studio
 * must), and authors_loop_vs_studio = the authors' loop's prompt tokens/s / the studio's (below 1: the studio
 * is faster). The sweep's `best` is the fastest combination whose predictions equal the default choice's.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isTask, TASK_IDS, type Task } from '../../src-shared/tasks/registry';
import { bundledSamplePaths, evalFiles } from '../../src-main/cli/commands/eval-restore';
import { evalCorruption } from '../../src-main/engine/restore/corruption';
import { loadImageFile } from '../../src-main/engine/image/decode';
import { view128 } from '../../src-main/engine/image/view';
import { scaleSpeed } from '../../src-main/engine/estimate/estimate';
import { checkLlama2Gguf } from '../../src-main/engine/llm/frozen-lm';
import { defaultLmPath } from '../../src-main/engine/llm/models';
import { defaultPackDir } from '../../src-main/engine/tokenizer/packs';
import { V2LTokenizer } from '../../src-main/engine/tokenizer/tokenizer';
import { measureColdStart } from './cold-start';
import { measureLargePhoto } from './large-photo';
import { runLlamaBench } from './llama-bench';
import { ensureRandomModel, FULL_SHAPE, QUICK_SHAPE, randomModelName } from './random-gguf';
import { measureStudio, type BenchImage } from './studio';
import { capCalls, sweep, type SweepPoint } from './sweep';
import { BAR } from './keys';
import { measureTokenizer } from './tokenizer-speed';

const log = (message: string) => process.stderr.write(`${message}\n`);

/** `x` rounded to `digits` decimals. */
function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

interface ModelReport {
  readonly name: string;
  readonly file: string;
  readonly params: number;
  readonly device: string;
  /** Threads of each llama.cpp context, and the contexts the sequences are spread over. */
  readonly threads: number;
  readonly contexts: number;
  readonly sequences: number;
  /** The thread count of node-llama-cpp alone that the raw figures are from: the faster of those tried. */
  readonly raw_threads: number;
  readonly prompt_tokens: number;
  readonly mean_prompt_length: number;
  readonly raw_prompt_tokens_per_s: number;
  readonly studio_prompt_tokens_per_s: number;
  readonly studio_vs_raw: number;
  readonly raw_confident_prompt_tokens_per_s: number;
  readonly studio_vs_raw_confident: number;
  readonly authors_loop_prompt_tokens_per_s: number;
  readonly authors_loop_vs_studio: number;
  readonly identical_predictions: boolean;
  readonly images_identical: number;
  readonly cells_differing: number;
  readonly llama_bench_prompt_tokens_per_s: number;
  readonly llama_bench_prompt_length: number;
  readonly studio_vs_llama_bench: number;
  /** The studio's cost estimate made before the images (a calibration of this model), and its signed error. */
  readonly estimate_seconds: number;
  readonly studio_llm_seconds: number;
  readonly estimate_error: number;
  readonly calibrated_seconds_per_token: number;
  readonly evaluated_tokens_counted: number;
  readonly sweep?: readonly SweepPoint[];
  readonly best?: SweepPoint;
}

async function benchModel(
  name: string,
  file: string,
  tokenizer: V2LTokenizer,
  images: readonly BenchImage[],
  options: { sweep: boolean; repetitions: number },
): Promise<ModelReport> {
  const summary = await checkLlama2Gguf(file);
  log(`${name}: ${(summary.parameters / 1e6).toFixed(1)} M parameters (${path.basename(file)})`);
  const m = await measureStudio(file, tokenizer, images, 'reference', log);
  const studio = m.promptTokens / m.studioSeconds;
  const raw = m.promptTokens / m.rawSeconds;
  const rawConfident = m.promptTokens / m.rawConfidentSeconds;
  const naive = m.promptTokens / m.naiveSeconds;
  const promptLength = Math.max(1, Math.round(m.meanPromptLength));
  log(`  llama-bench: ${promptLength}-token prompts, ${m.threads} threads`);
  const bench = await runLlamaBench(file, promptLength, m.threads, options.repetitions);
  let points: SweepPoint[] | undefined;
  if (options.sweep) {
    log('  threads x sequences sweep (the first image, up to 32 prompts):');
    points = await sweep(file, capCalls(m.firstCalls, 32), log);
  }
  return {
    name,
    file,
    params: summary.parameters,
    device: m.device,
    threads: m.threads,
    contexts: m.contexts,
    raw_threads: m.rawThreads,
    sequences: m.sequences,
    prompt_tokens: m.promptTokens,
    mean_prompt_length: round(m.meanPromptLength, 1),
    raw_prompt_tokens_per_s: round(raw, 1),
    studio_prompt_tokens_per_s: round(studio, 1),
    studio_vs_raw: round(studio / raw),
    raw_confident_prompt_tokens_per_s: round(rawConfident, 1),
    studio_vs_raw_confident: round(studio / rawConfident),
    authors_loop_prompt_tokens_per_s: round(naive, 1),
    authors_loop_vs_studio: round(naive / studio),
    identical_predictions: m.imagesIdentical === images.length,
    images_identical: m.imagesIdentical,
    cells_differing: m.cellsDiffering,
    llama_bench_prompt_tokens_per_s: round(bench.prompt_tokens_per_s, 1),
    llama_bench_prompt_length: promptLength,
    studio_vs_llama_bench: round(studio / bench.prompt_tokens_per_s),
    estimate_seconds: round(m.estimatedSeconds),
    studio_llm_seconds: round(m.studioSeconds),
    estimate_error: round(m.estimatedSeconds / m.studioSeconds - 1),
    calibrated_seconds_per_token: m.calibratedSecondsPerToken,
    evaluated_tokens_counted: m.evaluatedTokensCounted,
    ...(points ? sweepSummary(points) : {}),
  };
}

/** The sweep's points, rounded, and the fastest one that predicts exactly what the default choice predicts. */
function sweepSummary(points: readonly SweepPoint[]): { sweep: SweepPoint[]; best?: SweepPoint } {
  const sweep = points.map((p) => ({
    ...p,
    prompt_tokens_per_s: round(p.prompt_tokens_per_s, 1),
    raw_prompt_tokens_per_s: round(p.raw_prompt_tokens_per_s, 1),
    studio_vs_raw: round(p.studio_vs_raw),
  }));
  const best = sweep
    .filter((p) => p.identical_predictions)
    .reduce<SweepPoint | undefined>(
      (a, p) => (a && a.prompt_tokens_per_s >= p.prompt_tokens_per_s ? a : p),
      undefined,
    );
  return { sweep, ...(best ? { best } : {}) };
}

async function loadImages(task: Task, count: number, data: string | undefined): Promise<BenchImage[]> {
  const files = data ? await evalFiles(data, String(count)) : bundledSamplePaths().slice(0, count);
  if (files.length < count) log(`only ${files.length} images available (asked for ${count})`);
  const images: BenchImage[] = [];
  for (const [index, file] of files.entries()) {
    const view = view128((await loadImageFile(file)).image);
    images.push({ name: path.basename(file), view, corruption: evalCorruption(task, index, view) });
  }
  return images;
}

export async function runBench(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      quick: { type: 'boolean' },
      images: { type: 'string' },
      task: { type: 'string' },
      data: { type: 'string' },
      sweep: { type: 'boolean' },
      'no-sweep': { type: 'boolean' },
    },
  });
  const quick = values.quick === true;
  const count = values.images !== undefined ? Number(values.images) : quick ? 1 : 3;
  if (!Number.isInteger(count) || count < 1) throw new Error('--images takes a whole number of at least 1');
  const task = values.task ?? 'deblur';
  if (!isTask(task)) throw new Error(`--task takes one of ${TASK_IDS.join(', ')}`);
  const doSweep = values['no-sweep'] !== true && (!quick || values.sweep === true);
  const started = performance.now();

  log('cold start: the server, from spawn to restore-ready');
  const cold = await measureColdStart();
  log(`  ${cold.seconds.toFixed(2)} s (listening ${cold.listening_seconds.toFixed(2)} s)`);

  const shape = quick ? QUICK_SHAPE : FULL_SHAPE;
  const randomFile = ensureRandomModel(shape, log);
  await using tokenizer = await V2LTokenizer.load(await defaultPackDir());
  const images = await loadImages(task, count, values.data);

  log(`tokenizer: ${images.length} images, one at a time`);
  const tokenizerSeconds = await measureTokenizer(tokenizer, images);

  const repetitions = quick ? 2 : 5;
  const models = [
    await benchModel('bundled', defaultLmPath(), tokenizer, images, { sweep: doSweep, repetitions }),
    await benchModel(randomModelName(shape), randomFile, tokenizer, images, { sweep: doSweep, repetitions }),
  ];

  log('large photo: 4000x3000, one brushed region, end to end');
  const large = await measureLargePhoto(log);
  log(`  ${large.seconds.toFixed(2)} s`);

  const [bundled, random] = models;
  if (!bundled || !random) throw new Error('a model result is missing');
  // The estimate a user gets for the bigger model before measuring it: the bundled model's speed scaled as the
  // Run panel's 'scaled' basis scales it.
  const scaledEstimate =
    scaleSpeed(
      {
        secondsPerToken: bundled.calibrated_seconds_per_token,
        parameters: bundled.params,
        contexts: bundled.contexts,
      },
      { parameters: random.params, contexts: random.contexts },
    ) * random.evaluated_tokens_counted;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const bar = {
    studio_vs_raw: models.every((m) => m.studio_vs_raw >= BAR.studio_vs_raw),
    identical_predictions: models.every((m) => m.identical_predictions),
    large_photo_seconds: large.seconds <= BAR.large_photo_seconds,
    tokenizer_seconds_per_image: tokenizerSeconds.encode <= BAR.tokenizer_seconds_per_image,
  };
  return {
    task,
    protocol: 'reference',
    images: images.length,
    quick,
    available_parallelism: os.availableParallelism(),
    raw_prompt_tokens_per_s: bundled.raw_prompt_tokens_per_s,
    studio_prompt_tokens_per_s: bundled.studio_prompt_tokens_per_s,
    studio_vs_raw: bundled.studio_vs_raw,
    studio_vs_raw_confident: bundled.studio_vs_raw_confident,
    authors_loop_vs_studio: bundled.authors_loop_vs_studio,
    identical_predictions: bundled.identical_predictions,
    threads: bundled.threads,
    contexts: bundled.contexts,
    sequences: bundled.sequences,
    llama_bench_prompt_tokens_per_s: bundled.llama_bench_prompt_tokens_per_s,
    estimate_error: bundled.estimate_error,
    estimate_error_random_weight: random.estimate_error,
    estimate_error_random_weight_scaled: round(scaledEstimate / random.studio_llm_seconds - 1),
    tokenizer_seconds_per_image: round(tokenizerSeconds.encode, 4),
    tokenizer_decode_seconds_per_image: round(tokenizerSeconds.decode, 4),
    large_photo_seconds: round(large.seconds, 2),
    large_photo: {
      ...large,
      seconds: round(large.seconds, 2),
      open_seconds: round(large.open_seconds, 2),
      restore_seconds: round(large.restore_seconds, 2),
    },
    cold_start_seconds: round(cold.seconds, 2),
    cold_start: {
      listening_seconds: round(cold.listening_seconds, 2),
      api_seconds: round(cold.api_seconds, 2),
      restore_ready_seconds: round(cold.seconds, 2),
    },
    peak_rss_mb: round(peakRssMb, 1),
    models,
    bar: { ...bar, met: Object.values(bar).every(Boolean) },
    seconds: round((performance.now() - started) / 1000, 1),
  };
}

export type BenchResult = Awaited<ReturnType<typeof runBench>>;

function table(result: BenchResult): string {
  const lines: string[] = [];
  const row = (cells: (string | number)[]) => lines.push(`| ${cells.join(' | ')} |`);
  lines.push(
    `Task ${result.task}, ${result.protocol} protocol, ${result.images} image(s), ${result.available_parallelism} CPUs`,
  );
  lines.push('');
  row([
    'model',
    'params',
    'threads',
    'sequences',
    'raw tok/s',
    'studio tok/s',
    'studio/raw',
    'studio/raw with confidence',
    "authors' loop/studio",
    'identical',
    'llama-bench tok/s',
  ]);
  row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---:']);
  for (const m of result.models) {
    row([
      m.name,
      `${(m.params / 1e6).toFixed(1)} M`,
      m.threads,
      m.sequences,
      m.raw_prompt_tokens_per_s.toFixed(0),
      m.studio_prompt_tokens_per_s.toFixed(0),
      m.studio_vs_raw.toFixed(3),
      m.studio_vs_raw_confident.toFixed(3),
      m.authors_loop_vs_studio.toFixed(3),
      `${m.images_identical} / ${result.images}`,
      m.llama_bench_prompt_tokens_per_s.toFixed(0),
    ]);
  }
  for (const m of result.models) {
    if (!m.sweep) continue;
    lines.push('', `Sweep, ${m.name}: prompt tokens/s by threads x sequences (* differing predictions)`);
    for (const p of m.sweep) {
      lines.push(
        `  ${p.threads} threads, ${p.sequences} sequences: ${p.prompt_tokens_per_s.toFixed(0)} ` +
          `(node-llama-cpp alone ${p.raw_prompt_tokens_per_s.toFixed(0)}, ratio ${p.studio_vs_raw.toFixed(2)})` +
          (p.identical_predictions ? '' : ' *'),
      );
    }
    if (m.best) {
      lines.push(
        `  fastest with identical predictions: ${m.best.threads} threads, ${m.best.sequences} sequences ` +
          `(the studio's default: ${m.threads} threads, ${m.sequences} sequences)`,
      );
    }
  }
  lines.push('', 'Cost estimate before the run (a calibration of the model), against the LLM time measured:');
  for (const m of result.models) {
    lines.push(
      `  ${m.name}: estimated ${m.estimate_seconds.toFixed(2)} s, measured ${m.studio_llm_seconds.toFixed(2)} s ` +
        `(error ${(100 * m.estimate_error).toFixed(1)} %)`,
    );
  }
  lines.push(
    `  the second model estimated from the bundled one's calibration and the parameter counts: error ` +
      `${(100 * result.estimate_error_random_weight_scaled).toFixed(1)} %`,
  );
  lines.push('');
  lines.push(
    `tokenizer: ${result.tokenizer_seconds_per_image.toFixed(4)} s / image (encode), ${result.tokenizer_decode_seconds_per_image.toFixed(4)} s (decode)`,
  );
  lines.push(
    `large photo (4000x3000, one brushed region): ${result.large_photo_seconds.toFixed(2)} s (open ${result.large_photo.open_seconds.toFixed(2)} s, restore ${result.large_photo.restore_seconds.toFixed(2)} s)`,
  );
  lines.push(`cold start (server, spawn to restore-ready): ${result.cold_start_seconds.toFixed(2)} s`);
  lines.push(`peak RSS: ${result.peak_rss_mb.toFixed(0)} MB; bench took ${result.seconds.toFixed(0)} s`);
  lines.push(
    `bar: ${Object.entries(result.bar)
      .map(([k, v]) => `${k} ${v ? 'met' : 'NOT met'}`)
      .join(', ')}`,
  );
  return lines.join('\n');
}

try {
  const result = await runBench(process.argv.slice(2));
  const text = process.argv.includes('--json') ? JSON.stringify(result) : table(result);
  // node-llama-cpp's and onnxruntime's worker threads may outlive their models: exit once the result is out.
  process.stdout.write(`${text}\n`, () => process.exit(0));
} catch (error) {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}
