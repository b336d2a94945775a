import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, openStudioOnSample, OUTPUT_DIR, screenshot, type StudioOnSample } from './harness';
import { requireModels } from './models';

/** Runs, results and export as the user meets them, with the real engine and the bundled models. */
describe('results and runs in the browser (server mode, default models)', () => {
  // Undefined when the models are missing: beforeAll then fails before starting anything.
  let studio: StudioOnSample | undefined;
  let page: Page;

  beforeAll(async () => {
    requireModels();
    studio = await openStudioOnSample('astronaut');
    page = studio.page;
  });
  afterAll(async () => {
    await closeAll(studio);
  });

  const results = () => page.locator('[data-testid="results"][data-status="done"]');
  const waitForResults = async () => {
    const done = results().waitFor({ timeout: 90_000 });
    const failed = page
      .getByTestId('job-error')
      .waitFor({ timeout: 90_000 })
      .then(async () => {
        throw new Error(`the run failed: ${await page.getByTestId('job-error').textContent()}`);
      });
    await Promise.race([done, failed]);
  };

  it('fills the live word grid while a run is still predicting', async () => {
    // Deblur of the whole view sends its prompts in batches: before, its words all arrived when the run ended.
    await page.getByTestId('task-deblur').check();
    await page.getByTestId('protocol-reference').check();
    // What the page shows at every render: the words in the live grid, and how many prompts the progress bar
    // says are done. Words shown only after the last prompt (all at once at the end) would never pass.
    await page.evaluate(() => {
      const seen: { words: number; step: number; of: number }[] = [];
      (window as unknown as { liveSeen: typeof seen }).liveSeen = seen;
      new MutationObserver(() => {
        const grid = document.querySelector('[data-testid="grid-live"]');
        const bar = document.querySelector<HTMLProgressElement>('[data-testid="job-status"] progress');
        if (grid && bar) {
          seen.push({
            words: grid.querySelectorAll('.state-predicted').length,
            step: bar.value,
            of: bar.max,
          });
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByTestId('run-button').click();
    await page.locator('[data-testid="grid-live"] .state-predicted').first().waitFor({ timeout: 90_000 });
    await screenshot(page, 'results-ux-live-grid');
    await waitForResults();
    const seen = await page.evaluate(
      () => (window as unknown as { liveSeen: { words: number; step: number; of: number }[] }).liveSeen,
    );
    const midRun = seen.filter((s) => s.words > 0 && s.of > 1 && s.step < s.of / 2);
    expect(midRun.length, `seen: ${JSON.stringify(seen.slice(-5))}`).toBeGreaterThan(0);
  });

  it('reopens a run of another photo together with its photo, listed with its thumbnail and name', async () => {
    const runId = Number(await results().getAttribute('data-run-id'));
    await page.getByTestId('sample-chelsea').click();
    await expect.poll(() => page.getByTestId('image-meta').textContent()).toContain('chelsea');

    const entry = page.getByTestId(`history-run-${runId}`);
    expect(await entry.textContent()).toContain('astronaut');
    expect(await entry.locator('img').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await entry.getByTestId('run-outcome').textContent()).toMatch(/^\d+ %$/);

    await entry.click();
    await expect.poll(() => results().getAttribute('data-run-id')).toBe(String(runId));
    await expect.poll(() => page.getByTestId('image-meta').textContent()).toContain('astronaut');
    // The editor behind the results is the run's photo too.
    await page.getByTestId('view-edit').click();
    await page.locator('[data-testid="photo-stage"][data-loaded="true"]').waitFor();
    expect(await page.getByTestId('image-meta').textContent()).toContain('astronaut');
    await screenshot(page, 'results-ux-reopened-run');
  });

  it('exports as a browser download, in the photo’s own format (JPEG stays JPEG), several files as one zip', async () => {
    await page.getByTestId('sample-rocket').click();
    await expect.poll(() => page.getByTestId('image-meta').textContent()).toContain('jpeg');
    await page.locator('[data-testid="photo-stage"][data-loaded="true"]').waitFor();
    await page.getByTestId('task-deblur').check();
    await page.getByTestId('run-button').click();
    await waitForResults();

    expect(await page.getByTestId('export-format').inputValue()).toBe('jpeg');
    await page.getByTestId('export-quality').fill('40');
    const boxes = page.locator('.export-panel input[type="checkbox"]');
    for (let i = 1; i < 6; i++) await boxes.nth(i).uncheck();
    const [image] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-button').click(),
    ]);
    expect(image.suggestedFilename()).toMatch(/^run-\d+-restored\.jpg$/);
    fs.mkdirSync(OUTPUT_DIR, { recursive: true });
    const jpeg = path.join(OUTPUT_DIR, 'results-ux-download.jpg');
    await image.saveAs(jpeg);
    expect((await sharp(jpeg).metadata()).format).toBe('jpeg');
    expect(await page.getByTestId('export-downloaded').textContent()).toContain(image.suggestedFilename());

    // Everything at once: one zip, holding the six files.
    for (let i = 1; i < 6; i++) await boxes.nth(i).check();
    await page.getByTestId('export-button').click();
    await page.getByTestId('export-exists').waitFor();
    const [archive] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-overwrite').click(),
    ]);
    expect(archive.suggestedFilename()).toMatch(/^run-\d+-export\.zip$/);
    const zip = path.join(OUTPUT_DIR, 'results-ux-download.zip');
    await archive.saveAs(zip);
    const names = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toHaveLength(6);
    expect(names).toContain(image.suggestedFilename());
    await screenshot(page, 'results-ux-export');
  });
});
