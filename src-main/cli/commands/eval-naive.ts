import { parseArgs } from 'node:util';
import { loadImageFile } from '../../engine/image/decode';
import { view128 } from '../../engine/image/view';
import { FrozenLm } from '../../engine/llm/frozen-lm';
import { defaultLmPath } from '../../engine/llm/models';
import { bankFor } from '../../engine/restore/bank';
import { restoreView } from '../../engine/restore/restore-view';
import { defaultPackDir } from '../../engine/tokenizer/packs';
import { V2LTokenizer } from '../../engine/tokenizer/tokenizer';
import { fileProgress } from '../progress';
import { printResult } from '../command';
import { bundledSamplePaths, EVAL_SET_OPTIONS, evalFiles, parseProtocol, parseTask } from '../eval-options';
import { evalCorruption } from '../../engine/restore/corruption';

export const EVAL_NAIVE_HELP = `eval naive --task T --protocol P --data DIR [--limit N] [--json]

Restores each image twice with the same model and prompts: the studio's way (independent prompts batched as
sequences of one context, the shared prefix kept in the KV cache) and the authors' loop (one fresh prompt at a
time). Same corruptions as eval restore.

  identical_images        images whose predicted words are the same both ways (must equal images)
  cells_differing         predicted cells whose word differs between the two
  seconds_per_image       the studio's LLM time per image
  seconds_per_image_naive the authors' loop's LLM time per image
  speedup                 naive time / studio time`;

/** How much faster the studio's batched, prefix-reusing runs are than the authors' loop, on identical output. */
export async function evalNaive(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: EVAL_SET_OPTIONS,
  });
  const task = parseTask(values.task);
  const protocol = parseProtocol(values.protocol);
  const files = await evalFiles(values.data, values.limit);
  await using tokenizer = await V2LTokenizer.load(await defaultPackDir());
  await using lm = await FrozenLm.load(defaultLmPath());
  const samplePaths = bundledSamplePaths();
  let identical = 0;
  let differing = 0;
  let ours = 0;
  let naive = 0;
  const progress = fileProgress(files.length);
  for (const [index, file] of files.entries()) {
    const original = view128((await loadImageFile(file)).image);
    const corruption = evalCorruption(task, index);
    const bank = await bankFor(tokenizer, samplePaths, protocol, corruption);
    const request = { original, corruption, protocol, seed: index, ...(bank ? { bank } : {}) };
    const a = await restoreView(tokenizer, lm, request);
    const b = await restoreView(tokenizer, lm, request, { naive: true });
    const diff = a.predictedCells.filter((c) => a.resultIds[c] !== b.resultIds[c]).length;
    if (diff === 0) identical++;
    differing += diff;
    ours += a.timings.llm;
    naive += b.timings.llm;
    progress(
      index + 1,
      file,
      `${diff} cells differ, ${a.timings.llm.toFixed(2)} s vs naive ${b.timings.llm.toFixed(2)} s`,
    );
  }
  const n = files.length;
  printResult(
    {
      task,
      protocol,
      images: n,
      identical_images: identical,
      cells_differing: differing,
      seconds_per_image: Number((ours / n).toFixed(3)),
      seconds_per_image_naive: Number((naive / n).toFixed(3)),
      speedup: Number((naive / ours).toFixed(2)),
    },
    values.json === true,
  );
}
