import path from 'node:path';
import { parseArgs } from 'node:util';
import { paperBlurKernelSize } from '../../engine/corrupt/blur';
import { StudioError } from '../../engine/errors';
import { loadImageFile } from '../../engine/image/decode';
import { view128 } from '../../engine/image/view';
import { FrozenLm } from '../../engine/llm/frozen-lm';
import { defaultLmPath } from '../../engine/llm/models';
import { defaultResourcesDir } from '../../engine/paths';
import type { ProtocolName, Task } from '../../engine/protocol/types';
import { bankFor } from '../../engine/restore/bank';
import type { Corruption } from '../../engine/restore/corruption';
import { restoreView, type RestoreViewResult } from '../../engine/restore/restore-view';
import { classicalBaseline } from '../../engine/baseline';
import { corruptView } from '../../engine/restore/corruption';
import { psnrRgb, ssim } from '../../engine/metrics';
import type { RgbImage } from '../../engine/image/types';
import { SampleLibrary } from '../../engine/samples';
import { defaultPackDir } from '../../engine/tokenizer/packs';
import { V2LTokenizer } from '../../engine/tokenizer/tokenizer';
import { fileProgress } from '../progress';
import { printResult } from '../command';
import { listImageFiles } from '../image-files';

export const TASKS: readonly Task[] = ['inpaint', 'outpaint', 'deblur', 'shift', 'rotate'];
export const PROTOCOLS: readonly ProtocolName[] = ['reference', 'blind'];

/** Shift used for evaluation: one token cell. The authors' bottom-right crop does nothing on square images. */
export const EVAL_SHIFT = { dx: 8, dy: 8 } as const;

/** The corruption image `index` of an evaluation gets: the authors' settings, reproducible from the index. */
export function evalCorruption(task: Task, index: number): Corruption {
  switch (task) {
    case 'inpaint':
    case 'outpaint':
      return { task };
    case 'deblur':
      return { task, kernelSize: paperBlurKernelSize(index) };
    case 'shift':
      return { task, ...EVAL_SHIFT };
    case 'rotate':
      return { task, quarterTurns: 1 };
  }
}

export function parseTask(value: string | undefined): Task {
  if (!TASKS.includes(value as Task)) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `--task must be one of ${TASKS.join(', ')}, not "${String(value)}".`,
    );
  }
  return value as Task;
}

export function parseProtocol(value: string | undefined): ProtocolName {
  if (!PROTOCOLS.includes(value as ProtocolName)) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `--protocol must be reference or blind, not "${String(value)}".`,
    );
  }
  return value as ProtocolName;
}

export const EVAL_RESTORE_HELP = `eval restore --task T --protocol P --data DIR [--limit N] [--naive] [--baseline] [--json]

Restores every image of DIR (recursively, sorted by path) at the paper's 128x128 view after the task's
corruption (inpaint: centre 8x8 cells; outpaint: bottom half; deblur: Gaussian blur, kernel 5..11 from a seeded
draw per image; shift: ${EVAL_SHIFT.dx},${EVAL_SHIFT.dy} px; rotate: 90 degrees), with the default model pack and language model.

  token_accuracy          predicted cells whose word equals the clean image's word
  psnr, ssim              result vs the original view (in/outpainting: restored cells pasted into the intact
                          pixels); ssim on the Y channel
  psnr_corrupted, ...     the corrupted input vs the original view
  seconds_per_image       encode + LLM + decode + metrics, models already loaded
  prompt_tokens_per_image tokens in all prompts of one image
--naive runs the authors' loop (one fresh prompt at a time, no batching, no prefix reuse) on the same model.
--baseline evaluates the classical restoration instead of the language model (Telea inpainting for in/outpainting,
Wiener deconvolution with the known kernel for deblur, the inverse shift for shift, the rotated image as is for
rotate); token_accuracy then compares the words of the baseline's result with the clean words; protocol reads
"baseline".`;

/** The classical baseline scored like a restoration: its result encoded to words, compared with the clean words. */
async function baselineView(
  tokenizer: V2LTokenizer,
  original: RgbImage,
  corruption: Corruption,
): Promise<Pick<RestoreViewResult, 'metrics' | 'promptTokens'>> {
  const { image: corrupted, cells } = corruptView(original, corruption);
  const result = classicalBaseline(corrupted, corruption);
  const [clean, restored] = await tokenizer.encode([original, result]);
  const predicted = cells.flatMap((on, i) => (on ? [i] : []));
  const correct = predicted.filter((c) => clean?.ids[c] === restored?.ids[c]).length;
  return {
    metrics: {
      tokenAccuracy: predicted.length === 0 ? 1 : correct / predicted.length,
      psnr: psnrRgb(original, result),
      psnrY: 0,
      ssim: ssim(original, result),
      psnrCorrupted: psnrRgb(original, corrupted),
      ssimCorrupted: ssim(original, corrupted),
    },
    promptTokens: 0,
  };
}

/** The first `limit` images of DIR, sorted by path; an empty folder is an error naming it. */
export async function evalFiles(dir: string | undefined, limit: string | undefined): Promise<string[]> {
  if (!dir) throw new StudioError('INVALID_ARGUMENT', 'eval restore needs --data DIR.');
  const files = (await listImageFiles(dir)).slice(0, limit === undefined ? Infinity : Number(limit));
  if (files.length === 0) throw new StudioError('NOT_FOUND', `No images in ${path.resolve(dir)}.`);
  return files;
}

export function bundledSamplePaths(): string[] {
  const samples = new SampleLibrary(path.join(defaultResourcesDir(), 'samples'));
  return samples.list().map((s) => samples.pathOf(s.id));
}

export async function evalRestore(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      task: { type: 'string' },
      protocol: { type: 'string' },
      data: { type: 'string' },
      limit: { type: 'string' },
      naive: { type: 'boolean' },
      baseline: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const task = parseTask(values.task);
  const baseline = values.baseline === true;
  // The baseline has no prompts, so it needs no protocol.
  const protocol = baseline && values.protocol === undefined ? 'reference' : parseProtocol(values.protocol);
  const files = await evalFiles(values.data, values.limit);
  await using tokenizer = await V2LTokenizer.load(await defaultPackDir());
  await using lm = baseline ? null : await FrozenLm.load(defaultLmPath());
  const samplePaths = bundledSamplePaths();
  const totals = {
    tokenAccuracy: 0,
    psnr: 0,
    ssim: 0,
    psnrCorrupted: 0,
    ssimCorrupted: 0,
    seconds: 0,
    prompt: 0,
  };
  const progress = fileProgress(files.length);
  for (const [index, file] of files.entries()) {
    const original = view128((await loadImageFile(file)).image);
    const corruption = evalCorruption(task, index);
    const bank = baseline ? undefined : await bankFor(tokenizer, samplePaths, protocol, corruption);
    const started = performance.now();
    const result = lm
      ? await restoreView(
          tokenizer,
          lm,
          { original, corruption, protocol, seed: index, ...(bank ? { bank } : {}) },
          { naive: values.naive === true },
        )
      : await baselineView(tokenizer, original, corruption);
    const seconds = (performance.now() - started) / 1000;
    const m = result.metrics;
    totals.tokenAccuracy += m.tokenAccuracy;
    totals.psnr += m.psnr;
    totals.ssim += m.ssim;
    totals.psnrCorrupted += m.psnrCorrupted;
    totals.ssimCorrupted += m.ssimCorrupted;
    totals.seconds += seconds;
    totals.prompt += result.promptTokens;
    progress(
      index + 1,
      file,
      `accuracy ${m.tokenAccuracy.toFixed(3)}, psnr ${m.psnr.toFixed(2)} ` +
        `(corrupted ${m.psnrCorrupted.toFixed(2)}), ${seconds.toFixed(2)} s`,
    );
  }
  const n = files.length;
  const round = (value: number, digits: number) => Number(value.toFixed(digits));
  printResult(
    {
      task,
      protocol: baseline ? 'baseline' : protocol,
      images: n,
      token_accuracy: round(totals.tokenAccuracy / n, 4),
      psnr: round(totals.psnr / n, 3),
      ssim: round(totals.ssim / n, 4),
      psnr_corrupted: round(totals.psnrCorrupted / n, 3),
      ssim_corrupted: round(totals.ssimCorrupted / n, 4),
      seconds_per_image: round(totals.seconds / n, 3),
      prompt_tokens_per_image: Math.round(totals.prompt / n),
    },
    values.json === true,
  );
}
