import path from 'node:path';
import { parseArgs } from 'node:util';

import { FrozenLm } from '../../engine/llm/frozen-lm';
import { defaultLmPath } from '../../engine/llm/models';
import { TASKS } from '../../../src-shared/tasks/registry';
import { defaultPackDir } from '../../engine/tokenizer/packs';
import { V2LTokenizer } from '../../engine/tokenizer/tokenizer';
import { LearnedScores } from '../learned-scores';
import {
  PAPER_RECONSTRUCTION,
  PAPER_RESTORATION,
  PAPER_SOURCE,
  PAPER_TASK_ORDER,
  type PaperFigures,
} from '../paper-figures';
import { CELL_SHIFT } from '../../engine/restore/corruption';
import { parseShiftVariant, restoreSet, roundedMean } from '../restore-set';
import { reconstructSet } from './eval-reconstruction';
import { bundledSamplePaths, defaultEvalData, evalFiles } from '../eval-options';

export const EVAL_PAPER_HELP = `eval paper [--data DIR] [--limit N] [--fid-model PATH] [--shift crop|cells|auto] [--json]

The paper's evaluation in one run: reconstruction and the five restoration tasks (reference protocol, the
authors' corruptions) over the images of DIR, with the models the studio is set to use (the bundled pack and
language model, or V2L_PACK and V2L_LM: the official pack and a LLaMA-2 GGUF), printed as the paper's tables lay
them out (FID, LPIPS, PSNR-Y, SSIM) with the paper's own figures beside ours.

  --data DIR        images (default: ../shared/data/eval/imagenet-val-dev/images, the ImageNet dev set)
  --limit N         only the first N images (the paper: 5,000 images)
  --fid-model PATH  InceptionV3 pool-feature ONNX (training/metrics/README.md); without it there is no FID
  --shift           as eval restore (default auto: the authors' crop on photos that are not square, a one-cell
                    move of ${CELL_SHIFT.dx},${CELL_SHIFT.dy} px on square ones, as the dev set's are)

Ours are scored as the authors score them: the whole decoded grid against the original view, PSNR on luma,
SSIM on RGB, LPIPS with the pack's LPIPS network (only packs converted from a checkpoint that holds it), FID over
the set. A cell that cannot be computed is null and its row's "missing" says why; a figure the paper does not
give is null under "paper". Source of the paper's figures: ${PAPER_SOURCE}.`;

interface Row {
  readonly row: string;
  readonly fid: number | null;
  readonly lpips: number | null;
  readonly psnr_y: number | null;
  readonly ssim: number | null;
  readonly paper: PaperFigures;
  readonly missing?: string;
}

/** The shift row's name says how its images were shifted, and that a one-cell move is not the paper's shift. */
function shiftRow(variant: string): string {
  const cells = variant.includes('cells')
    ? `; cells = a ${CELL_SHIFT.dx},${CELL_SHIFT.dy} px move, not the paper's crop`
    : '';
  return `shift (${variant}${cells})`;
}

const show = (value: number | null) => (value === null ? '-' : String(value));

/** The table as text: one line per row, ours then the paper's figure in each column. */
function printTable(rows: readonly Row[], header: string): void {
  const cells = rows.map((r) => [
    r.row,
    ...(['fid', 'lpips', 'psnr_y', 'ssim'] as const).map((k) => `${show(r[k])} (${show(r.paper[k])})`),
  ]);
  const titles = ['', 'FID (paper)', 'LPIPS (paper)', 'PSNR-Y dB (paper)', 'SSIM (paper)'];
  const widths = titles.map((t, i) => Math.max(t.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ');
  console.log(header);
  console.log(line(titles));
  for (const c of cells) console.log(line(c));
  for (const r of rows) if (r.missing) console.log(`${r.row}: not computed: ${r.missing}`);
}

export async function evalPaper(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      limit: { type: 'string' },
      'fid-model': { type: 'string' },
      shift: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const files = await evalFiles(values.data, values.limit);
  const data = values.data ?? defaultEvalData();
  const shift = parseShiftVariant(values.shift);
  const packDir = await defaultPackDir();
  const lmPath = defaultLmPath();
  await using tokenizer = await V2LTokenizer.load(packDir);
  await using lm = await FrozenLm.load(lmPath);
  const fidModel = values['fid-model'];
  const rows: Row[] = [];

  {
    await using learned = await LearnedScores.load(packDir, fidModel);
    const r = await reconstructSet(tokenizer, files, learned);
    const l = learned.results();
    rows.push({
      row: 'reconstruction',
      fid: l.fid ?? null,
      lpips: l.lpips ?? null,
      psnr_y: Number(r.psnr_y.toFixed(3)),
      ssim: Number(r.ssim_rgb.toFixed(4)),
      paper: PAPER_RECONSTRUCTION[tokenizer.hasGlobalBranch ? 'hybrid' : 'local'],
      ...(l.missing ? { missing: l.missing } : {}),
    });
  }
  let shiftVariant = '';
  for (const task of PAPER_TASK_ORDER) {
    const paper = PAPER_RESTORATION[task];
    if (!paper) continue;
    await using learned = await LearnedScores.load(packDir, fidModel);
    const set = await restoreSet(tokenizer, lm, files, {
      task,
      protocol: 'reference',
      baseline: false,
      naive: false,
      shift,
      samplePaths: bundledSamplePaths(),
      learned,
    });
    if (task === 'shift') shiftVariant = set.shiftVariant;
    const l = learned.results();
    rows.push({
      // A shift that is not the authors' crop is named in the row, so the table never passes it off as theirs.
      row: task === 'shift' ? shiftRow(set.shiftVariant) : TASKS[task].paperName,
      fid: l.fid ?? null,
      lpips: l.lpips ?? null,
      psnr_y: roundedMean(set.means, 'psnr_y_full_decode') ?? null,
      ssim: roundedMean(set.means, 'ssim_rgb_full_decode') ?? null,
      paper,
      ...(l.missing ? { missing: l.missing } : {}),
    });
  }

  const result = {
    images: files.length,
    data: path.resolve(data),
    pack: tokenizer.info.name,
    lm: path.basename(lmPath),
    protocol: 'reference',
    shift_variant: shiftVariant,
    scored: 'the whole decoded grid vs the original view: PSNR on luma, SSIM on RGB, LPIPS, FID over the set',
    paper_images: 5000,
    paper_source: PAPER_SOURCE,
    table: rows,
  };
  if (values.json === true) {
    console.log(JSON.stringify(result));
    return;
  }
  printTable(
    rows,
    `${files.length} images of ${result.data}; pack ${result.pack}, language model ${result.lm}, reference protocol. ` +
      `Ours (paper's). Paper: ${PAPER_SOURCE}.`,
  );
}
