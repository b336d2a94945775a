import path from 'node:path';
import { parseArgs } from 'node:util';

import { StudioError } from '../../engine/errors';
import { loadImageFile } from '../../engine/image/decode';
import { view128 } from '../../engine/image/view';
import { psnrRgb, psnrY, ssim } from '../../engine/metrics';
import { defaultPackDir } from '../../engine/tokenizer/packs';
import { V2LTokenizer } from '../../engine/tokenizer/tokenizer';
import { printResult } from '../command';
import { LearnedScores } from '../learned-scores';
import { IMAGE_EXTENSIONS, listImageFiles } from '../image-files';

export const EVAL_RECONSTRUCTION_HELP = `eval reconstruction --data DIR [--limit N] [--pack DIR] [--threads N]
  [--fid-model PATH] [--json]

Encodes every image under DIR (recursively; ${[...IMAGE_EXTENSIONS].join(' ')}; sorted by path) at the paper's
view (short side resized to 128, centre 128x128 crop) into a 16x16 token grid and decodes it again, then
compares the reconstruction with the view.

  --data DIR     folder of images (required)
  --limit N      only the first N images in path order
  --pack DIR     model pack folder; defaults to the pack installed in resources/models (or V2L_PACK)
  --threads N    onnxruntime intra-op threads; defaults to the number of cores
  --fid-model PATH   InceptionV3 pool-feature ONNX for fid (training/metrics/README.md)
  --json         print one JSON line: images, psnr, psnr_y, ssim, ssim_rgb, distinct_tokens, seconds_per_image

psnr       mean over images of PSNR on all RGB samples (peak 255)
psnr_y     mean over images of PSNR on BT.601 luma (Y in [16, 235], unrounded, peak 255)
ssim       mean over images of SSIM on BT.601 luma (Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03)
ssim_rgb   the same SSIM on R, G and B, averaged: with psnr_y, the authors' scores (piq's ssim, pyiqa's psnr
           on Y), so psnr_y and ssim_rgb are the figures to set beside the paper's
lpips      mean LPIPS with the pack's LPIPS network (packs converted from a checkpoint that holds it)
fid        FID between the views and their reconstructions, with --fid-model
missing    which of lpips and fid could not be computed, and why
distinct_tokens    number of different token ids used over all images
seconds_per_image  wall time of encode + decode, one image at a time, with the sessions already created and
                   warmed up by one untimed run:
                   pixels -> tensor, encoder run, decoder run, tensor -> pixels. Reading and decoding the file,
                   resizing to the view, session creation, hashing and the metrics are not included.
Progress goes to stderr.`;

function positiveInteger(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new StudioError('INVALID_ARGUMENT', `${option} takes a whole number >= 1, not "${value}".`);
  }
  return n;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** `eval reconstruction ...`: the tokenizer's round trip over a folder, as the paper measures reconstruction. */
export async function evalReconstruction(rest: string[]): Promise<void> {
  const { values } = parseArgs({
    args: rest,
    options: {
      data: { type: 'string' },
      limit: { type: 'string' },
      pack: { type: 'string' },
      threads: { type: 'string' },
      'fid-model': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (!values.data) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      'eval reconstruction needs --data DIR. See: npm run -s v2l -- eval reconstruction --help',
    );
  }
  const limit = positiveInteger(values.limit, '--limit');
  const threads = positiveInteger(values.threads, '--threads');

  const all = await listImageFiles(values.data);
  const files = limit === undefined ? all : all.slice(0, limit);
  if (files.length === 0) {
    throw new StudioError(
      'NOT_FOUND',
      `${path.resolve(values.data)} holds no images (${[...IMAGE_EXTENSIONS].join(' ')}).`,
    );
  }
  const packDir = values.pack ?? (await defaultPackDir());
  await using tokenizer = await V2LTokenizer.load(packDir, threads === undefined ? {} : { threads });
  const { info } = tokenizer;
  await using learned = await LearnedScores.load(packDir, values['fid-model']);
  console.error(
    `pack ${info.name} (${info.dir}): providers encoder=${info.providers.encoder} decoder=${info.providers.decoder}, ` +
      `hash check ${info.timings.hashMs.toFixed(0)} ms, sessions ${info.timings.sessionMs.toFixed(0)} ms; ` +
      `${files.length} images`,
  );

  const result = {
    ...(await reconstructSet(tokenizer, files, learned)),
    ...learned.results(),
  };
  if (values.json === true) {
    printResult(result, true);
    return;
  }
  printResult(
    {
      pack: `${info.name} (${info.dir})`,
      provider:
        info.providers.encoder === info.providers.decoder
          ? info.providers.encoder
          : `encoder ${info.providers.encoder}, decoder ${info.providers.decoder}`,
      ...result,
      hash_check_ms: round(info.timings.hashMs, 1),
      session_create_ms: round(info.timings.sessionMs, 1),
    },
    false,
  );
}

/**
 * The tokenizer's round trip over `files` at the paper's view: the studio's and the authors' scores, distinct
 * ids and the time per image; `learned` gets every view and its reconstruction.
 */
export async function reconstructSet(
  tokenizer: V2LTokenizer,
  files: readonly string[],
  learned: LearnedScores,
): Promise<{
  images: number;
  psnr: number;
  psnr_y: number;
  ssim: number;
  ssim_rgb: number;
  distinct_tokens: number;
  seconds_per_image: number;
}> {
  const { info } = tokenizer;
  // onnxruntime allocates and plans on a session's first run; one untimed round trip keeps that out of the
  // per-image time, which is meant to be what every later image costs.
  const warmUp = {
    width: info.imageSize,
    height: info.imageSize,
    data: new Uint8Array(info.imageSize ** 2 * 3),
  };
  await tokenizer.decode(await tokenizer.encode([warmUp]));

  const used = new Set<number>();
  let sumPsnr = 0;
  let sumPsnrY = 0;
  let sumSsim = 0;
  let sumSsimRgb = 0;
  let seconds = 0;
  for (const [i, file] of files.entries()) {
    const view = view128((await loadImageFile(file)).image);
    const started = performance.now();
    const [grid] = await tokenizer.encode([view]);
    const [restored] = grid ? await tokenizer.decode([grid]) : [];
    seconds += (performance.now() - started) / 1000;
    if (!grid || !restored) throw new StudioError('INTERNAL', `The tokenizer returned nothing for ${file}.`);
    for (const id of grid.ids) used.add(id);
    const p = psnrRgb(view, restored);
    sumPsnr += p;
    sumPsnrY += psnrY(view, restored);
    sumSsim += ssim(view, restored);
    sumSsimRgb += ssim(view, restored, 'rgb');
    await learned.add(view, restored);
    if ((i + 1) % 10 === 0 || i + 1 === files.length) {
      console.error(
        `[${i + 1}/${files.length}] ${path.basename(file)}  PSNR ${p.toFixed(2)} dB; running mean ` +
          `${(sumPsnr / (i + 1)).toFixed(2)} dB, ${((seconds / (i + 1)) * 1000).toFixed(0)} ms per image`,
      );
    }
  }
  const n = files.length;
  return {
    images: n,
    psnr: round(sumPsnr / n, 4),
    psnr_y: round(sumPsnrY / n, 4),
    ssim: round(sumSsim / n, 5),
    ssim_rgb: round(sumSsimRgb / n, 5),
    distinct_tokens: used.size,
    seconds_per_image: round(seconds / n, 5),
  };
}
