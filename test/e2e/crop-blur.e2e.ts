import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { callApi, screenshot, studioOnSampleSuite, waitForRunResults } from './harness';
import { dragOnImage, requireModels } from './models';

interface Rgb {
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
}

async function rgbOf(input: string | Buffer, crop?: { x: number; y: number; width: number; height: number }) {
  let pipeline = sharp(input).removeAlpha();
  if (crop)
    pipeline = pipeline.extract({ left: crop.x, top: crop.y, width: crop.width, height: crop.height });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

const fromDataUrl = (url: string | undefined) => Buffer.from((url ?? '').split(',')[1] ?? '', 'base64');

function meanAbsDiff(a: Rgb, b: Rgb): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0));
  return sum / a.data.length;
}

/** Crop in the editor and region blur, each carried through a real restoration with the default models. */
describe('crop and region blur (server mode, default models)', () => {
  const studio = studioOnSampleSuite('astronaut', { prepare: requireModels });
  let page: Page;
  beforeAll(() => {
    page = studio().page;
  });

  const stage = () => page.getByTestId('photo-stage');
  const attr = async (name: string) => (await stage().getAttribute(name)) ?? '';
  const rectOf = async (name: string) => (await attr(name)).split(',').map(Number);

  /** A run as the engine recorded it, read over the same API the studio uses. */
  const getRun = async (runId: number) => {
    const envelope = (await callApi(studio().server, 'getRun', { runId })) as {
      ok: boolean;
      value: {
        params: Record<string, unknown>;
        predictedCells: number[];
        window: { x: number; y: number; side: number } | null;
        images: Record<string, string>;
      };
    };
    expect(envelope.ok).toBe(true);
    return envelope.value;
  };

  const runAndWait = async () => {
    await page.getByTestId('run-button').click();
    await waitForRunResults(page);
    return Number(await page.getByTestId('results').getAttribute('data-run-id'));
  };

  it('crops with a dragged rectangle, cancels with Esc, applies with Enter, and undoes back to the whole photo', async () => {
    expect(await attr('data-width')).toBe('512');
    await page.keyboard.press('c');
    expect(await attr('data-tool')).toBe('crop');

    await dragOnImage(page, [
      [64, 48],
      [200, 150],
      [384, 368],
    ]);
    const [x, y, width, height] = await rectOf('data-crop-draft');
    expect(Math.abs((x ?? 0) - 64)).toBeLessThanOrEqual(1);
    expect(Math.abs((y ?? 0) - 48)).toBeLessThanOrEqual(1);
    expect(Math.abs((width ?? 0) - 320)).toBeLessThanOrEqual(2);
    expect(Math.abs((height ?? 0) - 320)).toBeLessThanOrEqual(2);
    await page.keyboard.press('Escape');
    await expect.poll(() => attr('data-crop-draft')).toBe('none');
    expect(await attr('data-crop')).toBe('none');

    // A square: the shorter side of the drag wins.
    await page.getByTestId('crop-aspect').selectOption('square');
    await dragOnImage(page, [
      [100, 100],
      [300, 180],
    ]);
    const square = await rectOf('data-crop-draft');
    expect(square[2]).toBe(square[3]);
    expect(Math.abs((square[2] ?? 0) - 80)).toBeLessThanOrEqual(2);

    // Dragging the bottom-right handle grows the square; Enter applies it.
    await dragOnImage(page, [
      [180, 180],
      [380, 300],
    ]);
    const grown = await rectOf('data-crop-draft');
    expect(grown[2]).toBe(grown[3]);
    expect(grown[2] ?? 0).toBeGreaterThan(180);
    await screenshot(page, '13-crop-drawn');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Enter');
    await expect.poll(() => attr('data-crop')).toBe(grown.join(','));
    expect(await attr('data-width')).toBe(String(grown[2]));
    expect(await attr('data-crop-draft')).toBe('none');
    // The header gives the photo's size as it will be restored.
    await expect
      .poll(() => page.getByTestId('image-meta').textContent())
      .toContain(`512×512 cropped to ${String(grown[2])}×${String(grown[3])}`);
    await screenshot(page, '14-crop-applied');

    await page.keyboard.press('Control+z');
    await expect.poll(() => attr('data-crop')).toBe('none');
    expect(await attr('data-width')).toBe('512');
    expect(await attr('data-height')).toBe('512');
    await expect.poll(() => page.getByTestId('image-meta').textContent()).not.toContain('cropped');
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => attr('data-crop')).toBe(grown.join(','));
    expect(await page.getByTestId('undo').getAttribute('title')).toContain('Crop');
  });

  it('restores the cropped photo, not the whole one', async () => {
    const [x = 0, y = 0, width = 0, height = 0] = await rectOf('data-crop');
    await page.getByTestId('task-inpaint').check();
    await page.getByTestId('protocol-reference').check();
    const runId = await runAndWait();
    const run = await getRun(runId);
    expect(run.params['crop']).toEqual({ x, y, width, height });

    // The run's 128 px original is the crop's view, far from the whole photo's.
    const original = await rgbOf(fromDataUrl(run.images['original']));
    const sample = path.resolve('resources', 'samples', 'astronaut.png');
    const cropView = await rgbOf(
      await sharp(sample).extract({ left: x, top: y, width, height }).resize(128, 128).png().toBuffer(),
    );
    const wholeView = await rgbOf(await sharp(sample).resize(128, 128).png().toBuffer());
    const toCrop = meanAbsDiff(original, cropView);
    expect(toCrop).toBeLessThan(4);
    expect(meanAbsDiff(original, wholeView)).toBeGreaterThan(toCrop * 4);
  });

  it('blurs only a brushed region and restores its words with a deblur run', async () => {
    await page.getByTestId('sample-chelsea').click();
    await page.locator('[data-testid="photo-stage"][data-loaded="true"]').waitFor();
    await expect.poll(() => attr('data-crop')).toBe('none');
    await page.getByTestId('task-deblur').check();
    await page.getByTestId('blur-mode-region').check();
    await expect
      .poll(() => page.getByTestId('run-blocked').textContent())
      .toContain('Brush the region to blur');
    await page.getByTestId('blur-sigma').fill('2');

    await page.keyboard.press('b');
    await dragOnImage(page, [
      [110, 120],
      [170, 135],
      [200, 170],
    ]);
    await expect.poll(() => page.getByTestId('blur-region-summary').textContent()).toMatch(/Blurs \d/);
    await page.getByTestId('protocol-reference').check();
    await screenshot(page, '15-blur-region');

    const runId = await runAndWait();
    const run = await getRun(runId);
    expect(run.params['blurSigma']).toBe(2);
    expect(run.params['blurRegion']).toBeDefined();
    expect(run.window).not.toBeNull();
    expect(run.predictedCells.length).toBeGreaterThan(0);
    expect(run.predictedCells.length).toBeLessThan(256);

    // Pixels of the corrupted view changed only inside the predicted cells, and plenty of them did.
    const original = await rgbOf(fromDataUrl(run.images['original']));
    const corrupted = await rgbOf(fromDataUrl(run.images['corrupted']));
    const predicted = new Set(run.predictedCells);
    let changed = 0;
    for (let p = 0; p < 128 * 128; p++) {
      const i = p * 3;
      const same =
        original.data[i] === corrupted.data[i] &&
        original.data[i + 1] === corrupted.data[i + 1] &&
        original.data[i + 2] === corrupted.data[i + 2];
      if (same) continue;
      changed += 1;
      const cell = Math.floor(Math.floor(p / 128) / 8) * 16 + Math.floor((p % 128) / 8);
      expect(predicted.has(cell), `pixel ${p} changed outside the predicted cells`).toBe(true);
    }
    expect(changed).toBeGreaterThan(100);
    expect(await page.getByTestId('grid-result').locator('.state-correct, .state-wrong').count()).toBe(
      run.predictedCells.length,
    );
    await screenshot(page, '16-blur-region-results');
  });

  it('exports into the data folder in the browser, where there is no save dialog', async () => {
    const button = page.getByTestId('export-button');
    await expect.poll(() => button.getAttribute('data-native-dialog')).toBe('false');
    expect(await button.textContent()).toBe('Export');
    await button.click();
    await page.getByTestId('export-done').waitFor();
    const first = await page.locator('[data-testid="export-done"] li').first().getAttribute('data-path');
    expect(first?.startsWith(path.join(studio().server.dataDir, 'exports'))).toBe(true);

    // The dialog-backed method is refused by the server shell, with a message that says what to do instead.
    const runId = Number(await page.getByTestId('results').getAttribute('data-run-id'));
    expect(await callApi(studio().server, 'exportWithDialog', { runId, items: ['image'] })).toEqual({
      ok: false,
      error: {
        code: 'UNSUPPORTED',
        message:
          'The save dialog exists only in the desktop app; in the browser, Export writes to the exports folder.',
      },
    });
  });
});
