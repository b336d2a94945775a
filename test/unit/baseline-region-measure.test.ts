import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { wiener, wienerInside } from '../../src-main/engine/baseline/deconvolve';
import { gaussianKernel1d } from '../../src-main/engine/corrupt/blur';
import { loadImageFile } from '../../src-main/engine/image/decode';
import { view128 } from '../../src-main/engine/image/view';
import { psnrRgb } from '../../src-main/engine/metrics/psnr';
import { corruptView } from '../../src-main/engine/restore/corruption';
import { brushedViewRegion, psnrWhere } from '../helpers/images';

/*
 * The classical deblur baseline measured on a set (the README's figures), run only when asked:
 *   V2L_MEASURE_DIR=../shared/data/eval/imagenet-val-dev/images V2L_MEASURE_LIMIT=20 \
 *     npx vitest run test/unit/baseline-region-measure.test.ts
 * Each image's 128 px view is blurred whole and, separately, inside one brush stroke (the studio's region deblur),
 * at the paper's kernel sizes, and restored by the whole-view Wiener filter and by wienerInside.
 */

const DIR = process.env['V2L_MEASURE_DIR'];
const LIMIT = Number(process.env['V2L_MEASURE_LIMIT'] ?? '20');

describe.runIf(DIR !== undefined)('classical deblur on a set (V2L_MEASURE_DIR)', () => {
  it('prints mean RGB PSNR per kernel size', { timeout: 3_600_000 }, async () => {
    const dir = DIR ?? '';
    const files = fs
      .readdirSync(dir)
      .filter((f) => /\.(png|jpe?g)$/i.test(f))
      .sort()
      .slice(0, LIMIT);
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
    expect(files.length).toBeGreaterThan(0);
  });
});
