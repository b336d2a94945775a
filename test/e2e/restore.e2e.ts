import fs from 'node:fs';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshot, studioOnSampleSuite, waitForRunResults } from './harness';
import { dragOnImage, requireModels } from './models';

/** Restorations with the real engine and the default models: inpaint, outpaint, deblur, cancel, export. */
describe('restoration in the browser (server mode, default models)', () => {
  const studio = studioOnSampleSuite('astronaut', { prepare: requireModels });
  let page: Page;
  beforeAll(() => {
    page = studio().page;
  });
  const dataDir = () => studio().server.dataDir;

  const results = () => page.locator('[data-testid="results"][data-status="done"]');
  const backToEditor = async () => {
    await page.getByTestId('view-edit').click();
    await page.locator('[data-testid="photo-stage"][data-loaded="true"]').waitFor();
  };
  const runAndWait = async (shot?: string) => {
    await page.getByTestId('run-button').click();
    if (shot) {
      await page.locator('[data-testid="grid-live"] .state-predicted').first().waitFor({ timeout: 90_000 });
      await screenshot(page, shot);
    }
    await waitForRunResults(page);
  };

  it('inpaints a brushed mask with the reference protocol and shows grids, result and metrics', async () => {
    await dragOnImage(page, [
      [230, 230],
      [290, 250],
      [300, 290],
    ]);
    await page.getByTestId('task-inpaint').check();
    await page.getByTestId('protocol-reference').check();
    // The cost before the run: the bundled model is small, so it is measured here without asking.
    const estimate = page.locator('[data-testid="run-estimate"][data-basis="calibration"]');
    await estimate.waitFor({ timeout: 60_000 });
    expect(await estimate.textContent()).toMatch(/with .* on \d+ CPU threads? \([\d,]+ tokens to evaluate/);
    await runAndWait('05-run-progress');
    // The run keeps the estimate beside the time it took.
    expect(await page.getByTestId('run-estimate-vs-measured').textContent()).toMatch(
      /language model \d+\.\d s, estimated \d+\.\d s/,
    );

    const corrupted = page.getByTestId('grid-corrupted');
    const corrected = page.getByTestId('grid-result');
    expect(await corrupted.locator('.token-cell').count()).toBe(256);
    expect(await corrected.locator('.token-cell').count()).toBe(256);
    expect(await corrected.locator('.state-correct, .state-wrong').count()).toBeGreaterThan(0);
    expect((await corrected.textContent())?.length).toBeGreaterThan(100);
    for (const id of ['image-corrupted', 'image-result', 'image-original']) {
      expect(await page.getByTestId(id).locator('img').getAttribute('src')).toMatch(/^data:image\/png/);
    }
    expect(await page.getByTestId('metric-psnr').textContent()).toMatch(/\d+\.\d+ dB/);
    expect(await page.getByTestId('metric-ssim').textContent()).toMatch(/\d\.\d{3}/);
    expect(await page.getByTestId('metric-accuracy').textContent()).toMatch(/%/);
    expect(await page.getByTestId('metric-psnr-clean-words').textContent()).toMatch(/\d+\.\d+ dB/);
    // Set beside the classical restoration of the same damage.
    expect(await page.getByTestId('metric-psnr-classical').textContent()).toMatch(/\d+\.\d+ dB/);
    expect(await page.getByTestId('image-classical').locator('img').getAttribute('alt')).toMatch(/Telea/);

    // Hovering a predicted word names it and outlines its patch on all four images.
    const predicted = corrected.locator('.state-correct, .state-wrong').first();
    await predicted.hover();
    expect(await page.getByTestId('cell-info').textContent()).toMatch(/corrected id \d+/);
    expect(await page.locator('.cell-highlight').count()).toBe(4);
    await screenshot(page, '06-results');
  });

  it('exports the image, grids, sheet and record, and asks before overwriting', async () => {
    await page.getByTestId('export-button').click();
    await page.getByTestId('export-done').waitFor();
    const files = await page
      .locator('[data-testid="export-done"] li')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-path') ?? ''));
    expect(files).toHaveLength(6);
    for (const file of files) {
      expect(fs.existsSync(file), file).toBe(true);
      expect(file.startsWith(dataDir())).toBe(true);
      if (file.endsWith('.png')) {
        const meta = await sharp(file).metadata();
        expect(meta.width, file).toBeGreaterThan(100);
      }
    }
    const grids = JSON.parse(fs.readFileSync(files.find((f) => f.endsWith('grids.json')) ?? '', 'utf8')) as {
      result: { id: number; text: string }[];
    };
    expect(grids.result).toHaveLength(256);
    expect(fs.readFileSync(files.find((f) => f.endsWith('.csv')) ?? '', 'utf8').split('\n')[0]).toContain(
      'result_id',
    );
    await screenshot(page, '07-export');

    // The same export again: the files exist, so the studio asks, and replaces them only when told to.
    await page.getByTestId('export-format').selectOption('png');
    await page.getByTestId('export-button').click();
    await page.getByTestId('export-exists').waitFor();
    expect(await page.getByTestId('export-exists').textContent()).toContain('already exist');
    await page.getByTestId('export-overwrite').click();
    await page.getByTestId('export-done').waitFor();

    // A JPEG of the restored image decodes too.
    await page.getByTestId('export-format').selectOption('jpeg');
    await page.locator('.export-panel input[type="checkbox"]').nth(1).uncheck();
    for (let i = 2; i < 6; i++) await page.locator('.export-panel input[type="checkbox"]').nth(i).uncheck();
    await page.getByTestId('export-button').click();
    await page.getByTestId('export-done').waitFor();
    const jpeg = await page.locator('[data-testid="export-done"] li').first().getAttribute('data-path');
    expect((await sharp(jpeg ?? '').metadata()).format).toBe('jpeg');
  });

  it('outpaints a canvas extended with the extender (blind)', async () => {
    await backToEditor();
    await page.getByTestId('mask-clear').click();
    await page.getByTestId('task-outpaint').check();
    await page.keyboard.press('x');
    await dragOnImage(page, [
      [256, 511],
      [256, 600],
    ]);
    await expect
      .poll(() => page.getByTestId('photo-stage').getAttribute('data-extend'))
      .toMatch(/^0,0,\d+,0$/);
    await page.getByTestId('protocol-blind').check();
    // The inpainting run measured this model's speed for prompts run one by one, as outpainting's are.
    await page.locator('[data-testid="run-estimate"][data-basis="runs"]').waitFor({ timeout: 30_000 });
    await screenshot(page, '08-outpaint-extender');
    await runAndWait();
    expect(await page.getByTestId('grid-result').locator('.state-predicted').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('metrics-none').isVisible()).toBe(true);
  });

  it('deblurs with the reference protocol', async () => {
    await backToEditor();
    await page.getByTestId('task-deblur').check();
    await page.getByTestId('blur-kernel').selectOption('9');
    await page.getByTestId('protocol-reference').check();
    await runAndWait();
    // The hint under the metrics follows the figures: none when the result beats the blurred input; otherwise it
    // blames the tokenizer only when the original's own words also fall short of the input.
    const db = async (id: string) => Number((await page.getByTestId(id).textContent())?.replace(' dB', ''));
    const restored = await db('metric-psnr');
    const perfect = await db('metric-psnr-clean-words');
    const corrupted = await db('metric-psnr-corrupted');
    const classical = await db('metric-psnr-classical');
    expect([restored, perfect, corrupted, classical].every(Number.isFinite)).toBe(true);
    expect(await page.getByTestId('image-classical').locator('img').getAttribute('alt')).toMatch(/Wiener/);
    const hint = page.getByTestId('metrics-below');
    if (restored >= corrupted) expect(await hint.count()).toBe(0);
    else
      expect(await hint.textContent()).toMatch(perfect < corrupted ? /original's own words/ : /wrong words/);
    await screenshot(page, '09-deblur-results');
  });

  it('cancels a run promptly', async () => {
    await backToEditor();
    await page.getByTestId('task-inpaint').check();
    await page.getByTestId('run-button').click();
    await page.locator('[data-testid="job-status"][data-status="running"]').waitFor();
    const started = Date.now();
    await page.getByTestId('cancel-button').click();
    await page.getByTestId('job-cancelled').waitFor({ timeout: 20_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await page.getByTestId('job-error').count()).toBe(0);
    await screenshot(page, '12-cancelled');

    // The history lists the runs and reopens one.
    await expect.poll(() => page.locator('[data-testid="history"] li').count()).toBeGreaterThanOrEqual(3);
    await page.locator('[data-testid^="history-run-"]').last().click();
    await results().waitFor();
  });
});
