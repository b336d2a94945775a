/**
 * `npx tsx scripts/measure-region-deblur.ts DIR [LIMIT]`: the classical deblur baseline measured on a set (the
 * README's figures), over the first LIMIT images of DIR (default 20), e.g.
 *   npx tsx scripts/measure-region-deblur.ts ../shared/data/eval/imagenet-val-dev/images 20
 * Each image's 128 px view is blurred whole and, separately, inside one brush stroke (the studio's region deblur),
 * at the paper's kernel sizes, and restored by the whole-view Wiener filter and by wienerInside. It prints the mean
 * RGB PSNR of each (over the whole view, or over the token cells the stroke touches) per kernel size.
 */
import fs from 'node:fs';
import path from 'node:path';

import { wiener, wienerInside } from '../src-main/engine/baseline/deconvolve';
import { gaussianKernel1d } from '../src-main/engine/corrupt/blur';
import { loadImageFile } from '../src-main/engine/image/decode';
import { view128 } from '../src-main/engine/image/view';
import { psnrRgb } from '../src-main/engine/metrics/psnr';
import { corruptView } from '../src-main/engine/restore/corruption';
import { brushedViewRegion, psnrWhere } from '../test/helpers/images';

const [dir, limitArg = '20'] = process.argv.slice(2);
const limit = Number(limitArg);
if (dir === undefined || !Number.isInteger(limit) || limit < 1) {
  console.error(
    'Usage: npx tsx scripts/measure-region-deblur.ts DIR [LIMIT]  (LIMIT: a whole number, default 20)',
  );
  process.exit(2);
}

const files = fs
  .readdirSync(dir)
  .filter((f) => /\.(png|jpe?g)$/i.test(f))
  .sort()
  .slice(0, limit);
if (files.length === 0) {
  console.error(`no PNG or JPEG images in ${dir}`);
  process.exit(1);
}

const { region, cells } = brushedViewRegion();
const sums = new Map<string, number>();
const add = (key: string, value: number) => sums.set(key, (sums.get(key) ?? 0) + value / files.length);
for (const file of files) {
  const view = view128((await loadImageFile(path.join(dir, file))).image);
  for (const k of [5, 7, 9, 11]) {
    const kernel = gaussianKernel1d(k);
    const whole = corruptView(view, { task: 'deblur', kernelSize: k }).image;
    add(`whole k=${k} blurred`, psnrRgb(view, whole));
    add(`whole k=${k} Wiener`, psnrRgb(view, wiener(whole, kernel)));
    const inside = corruptView(view, { task: 'deblur', kernelSize: k, region }).image;
    add(`region k=${k} blurred`, psnrWhere(view, inside, cells));
    add(`region k=${k} whole-view Wiener`, psnrWhere(view, wiener(inside, kernel), cells));
    add(`region k=${k} wienerInside`, psnrWhere(view, wienerInside(inside, region, kernel), cells));
  }
}
const lines = [...sums].map(([key, value]) => `${key.padEnd(34)} ${value.toFixed(2)} dB`);
process.stdout.write(`${files.length} images from ${dir}\n${lines.join('\n')}\n`);
