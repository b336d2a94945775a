/**
 * One model's restoration timings, three ways over the same images, interleaved image by image so that a change
 * in the machine's load falls on all three alike:
 *
 * - studio: restoreView on FrozenLm as the studio loads it (its own threads and sequences), LLM time only;
 * - raw: the exact prompts the studio sent, replayed through node-llama-cpp alone (./raw-llama);
 * - raw with confidence: the same replay also asking for each generated token's probability, which the studio
 *   must compute for every word it predicts: the yardstick with the one cost the studio cannot leave out;
 * - authors' loop: restoreView with `naive` (one fresh prompt at a time), whose predicted words must equal the
 *   studio's (the eval naive identity check).
 *
 * Before the images, the studio's cost estimate is made as the Run panel makes it for a model not measured yet:
 * a calibration on the first image's first prompts, times the work counted for each image; it is set beside the
 * studio's measured LLM time.
 */
import type { Generation, GenerateOptions, LanguageModelBackend } from '../../src-main/engine/llm/backend';
import { FrozenLm } from '../../src-main/engine/llm/frozen-lm';
import type { RgbImage } from '../../src-main/engine/image/types';
import { restoreView } from '../../src-main/engine/restore/restore-view';
import type { Corruption } from '../../src-main/engine/restore/corruption';
import type { ProtocolName } from '../../src-main/engine/protocol/types';
import type { V2LTokenizer } from '../../src-main/engine/tokenizer/tokenizer';
import { corruptView } from '../../src-main/engine/restore/corruption';
import { countPlanTokens, type PlanShape } from '../../src-main/engine/estimate/plan-tokens';
import { timePrompts } from '../../src-main/engine/estimate/restore-estimate';
import { RawLlama, type RecordedCall } from './raw-llama';

export interface BenchImage {
  readonly name: string;
  readonly view: RgbImage;
  readonly corruption: Corruption;
}

export interface StudioMeasurement {
  /** Threads of each of the studio's llama.cpp contexts, and the contexts its sequences are spread over. */
  readonly threads: number;
  readonly contexts: number;
  readonly sequences: number;
  /** The thread count node-llama-cpp alone was fastest on (see measureStudio): the raw figures are its. */
  readonly rawThreads: number;
  readonly device: string;
  readonly promptTokens: number;
  readonly meanPromptLength: number;
  readonly studioSeconds: number;
  readonly rawSeconds: number;
  readonly rawConfidentSeconds: number;
  readonly naiveSeconds: number;
  readonly imagesIdentical: number;
  readonly cellsDiffering: number;
  /** Seconds per evaluated token from the calibration, and the estimate it gives for all images' LLM time. */
  readonly calibratedSecondsPerToken: number;
  readonly estimatedSeconds: number;
  /** Tokens the estimate counted for all images (it is calibrated seconds per token times these). */
  readonly evaluatedTokensCounted: number;
  /** The first image's calls, for the threads/sequences sweep. */
  readonly firstCalls: readonly RecordedCall[];
}

/** Passes every call through and keeps a copy of its prompts: the raw replay needs the exact ones. */
class RecordingLm implements LanguageModelBackend {
  calls: RecordedCall[] = [];
  constructor(private readonly inner: LanguageModelBackend) {}
  get name() {
    return this.inner.name;
  }
  get device() {
    return this.inner.device;
  }
  get sequenceCount() {
    return this.inner.sequenceCount;
  }
  generate(
    prompts: readonly (readonly number[])[],
    steps: number,
    options?: GenerateOptions,
  ): Promise<Generation[]> {
    this.calls.push({ prompts: prompts.map((p) => [...p]), steps });
    return this.inner.generate(prompts, steps, options);
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return Promise.resolve();
  }
}

/** A prompt of image words, to let both sides allocate their buffers before anything is timed. */
function warmupPrompt(): number[] {
  return [1, ...Array.from({ length: 189 }, (_, i) => 259 + ((i * 7919) % 31_000))];
}

export async function measureStudio(
  file: string,
  tokenizer: V2LTokenizer,
  images: readonly BenchImage[],
  protocol: ProtocolName,
  log: (message: string) => void,
): Promise<StudioMeasurement> {
  await using lm = await FrozenLm.load(file);
  const threads = lm.threadsPerContext;
  // The yardstick is node-llama-cpp alone at its best: on the studio's threads per context, and on all the
  // threads the studio's contexts use together where that differs (a small model's contexts run one thread
  // each, side by side). Each image is replayed on both, and the faster in total is the raw figure.
  const rawChoices = [...new Set([threads, threads * lm.contextCount])];
  await using raw = await RawLlama.load(file, threads);
  const together = rawChoices[1];
  await using rawTogether = together === undefined ? null : await RawLlama.load(file, together);
  const raws = rawTogether ? [raw, rawTogether] : [raw];
  await lm.generate([warmupPrompt()], 2);
  for (const yardstick of raws) await yardstick.run([{ prompts: [warmupPrompt()], steps: 2 }]);

  const shapeOf = (image: BenchImage): PlanShape => ({
    task: image.corruption.task,
    protocol,
    cells: corruptView(image.view, image.corruption).cells,
    globalCount: tokenizer.info.global?.tokens ?? 0,
    bankSize: 0,
    sequences: lm.sequenceCount,
  });
  const first = images[0];
  if (!first) throw new Error('no bench images');
  const calibratedSecondsPerToken = await timePrompts(lm, shapeOf(first));
  const evaluatedTokensCounted = images.reduce(
    (n, image) => n + countPlanTokens(shapeOf(image)).evaluatedTokens,
    0,
  );
  log(
    `  estimate: ${(calibratedSecondsPerToken * 1e6).toFixed(1)} µs per token from a calibration, ` +
      `${evaluatedTokensCounted} tokens counted: ${(calibratedSecondsPerToken * evaluatedTokensCounted).toFixed(2)} s`,
  );

  let promptTokens = 0;
  let prompts = 0;
  let studioSeconds = 0;
  const rawSeconds = rawChoices.map(() => 0);
  const rawConfidentSeconds = rawChoices.map(() => 0);
  let naiveSeconds = 0;
  let imagesIdentical = 0;
  let cellsDiffering = 0;
  let firstCalls: RecordedCall[] = [];
  for (const [index, image] of images.entries()) {
    const request = { original: image.view, corruption: image.corruption, protocol, seed: index };
    const recorder = new RecordingLm(lm);
    const studio = await restoreView(tokenizer, recorder, request);
    const replays = [];
    for (const [r, yardstick] of raws.entries()) {
      const replay = await yardstick.run(recorder.calls);
      const confident = await yardstick.run(recorder.calls, { confidence: true });
      rawSeconds[r] = (rawSeconds[r] ?? 0) + replay.seconds;
      rawConfidentSeconds[r] = (rawConfidentSeconds[r] ?? 0) + confident.seconds;
      replays.push({ threads: rawChoices[r] ?? 0, replay, confident });
    }
    const naive = await restoreView(tokenizer, lm, request, { naive: true });
    for (const { replay } of replays) {
      if (replay.promptTokens !== studio.promptTokens) {
        throw new Error(
          `the replay evaluated ${replay.promptTokens} prompt tokens, the studio ${studio.promptTokens}`,
        );
      }
    }
    const diff = studio.predictedCells.filter((c) => studio.resultIds[c] !== naive.resultIds[c]).length;
    if (diff === 0) imagesIdentical++;
    cellsDiffering += diff;
    promptTokens += studio.promptTokens;
    prompts += recorder.calls.reduce((n, call) => n + call.prompts.length, 0);
    studioSeconds += studio.timings.llm;
    naiveSeconds += naive.timings.llm;
    if (index === 0) firstCalls = recorder.calls;
    log(
      `  ${image.name}: ${studio.promptTokens} prompt tokens; studio ${studio.timings.llm.toFixed(2)} s, ` +
        replays
          .map(
            (r) =>
              `raw on ${r.threads} thread${r.threads === 1 ? '' : 's'} ${r.replay.seconds.toFixed(2)} s ` +
              `(with confidence ${r.confident.seconds.toFixed(2)} s), `,
          )
          .join('') +
        `authors' loop ${naive.timings.llm.toFixed(2)} s, ${diff} cells differ`,
    );
  }
  const best = rawSeconds.indexOf(Math.min(...rawSeconds));
  return {
    threads,
    contexts: lm.contextCount,
    sequences: lm.sequenceCount,
    rawThreads: rawChoices[best] ?? threads,
    device: lm.device,
    promptTokens,
    meanPromptLength: prompts > 0 ? promptTokens / prompts : 0,
    studioSeconds,
    rawSeconds: rawSeconds[best] ?? 0,
    rawConfidentSeconds: rawConfidentSeconds[best] ?? 0,
    naiveSeconds,
    imagesIdentical,
    cellsDiffering,
    calibratedSecondsPerToken,
    estimatedSeconds: calibratedSecondsPerToken * evaluatedTokensCounted,
    evaluatedTokensCounted,
    firstCalls,
  };
}
