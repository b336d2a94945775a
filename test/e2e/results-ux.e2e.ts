import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_DIR, screenshot, studioOnSampleSuite, waitForRunResults } from './harness';
import { requireModels } from './models';

/** Runs, results and export as the user meets them, with the real engine and the bundled models. */
describe('results and runs in the browser (server mode, default models)', () => {
  const studio = studioOnSampleSuite('astronaut', { prepare: requireModels });
  let page: Page;
  beforeAll(() => {
    page = studio().page;
  });

  const results = () => page.locator('[data-testid="results"][data-status="done"]');

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
    await waitForRunResults(page);
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
    await waitForRunResults(page);

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

  it('keeps zoom and brush size when switching between Edit and Results', async () => {
    await page.getByTestId('view-edit').click();
    const stage = page.locator('[data-testid="photo-stage"][data-loaded="true"]');
    await stage.waitFor();
    const box = await stage.boundingBox();
    if (!box) throw new Error('the editor stage is not on screen');
    const fitScale = Number(await stage.getAttribute('data-scale'));
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => Number(await stage.getAttribute('data-scale'))).toBeGreaterThan(fitScale);
    await page.keyboard.press(']');
    await page.keyboard.press(']');
    const zoomed = {
      scale: await stage.getAttribute('data-scale'),
      offset: await stage.getAttribute('data-offset'),
    };
    const brush = await page.getByTestId('brush-radius').textContent();

    await page.getByTestId('view-results').click();
    await results().waitFor();
    await page.getByTestId('view-edit').click();
    await stage.waitFor();
    expect({
      scale: await stage.getAttribute('data-scale'),
      offset: await stage.getAttribute('data-offset'),
    }).toEqual(zoomed);
    expect(await page.getByTestId('brush-radius').textContent()).toBe(brush);
  });

  it('at 1280x720: the hovered cell is described in view, and the header says what Ask needs', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.getByTestId('view-results').click();
    await results().waitFor();
    // The last row of the corrected grid: below the fold of a 720 px window without scrolling.
    const cell = page.getByTestId('grid-result').locator('.token-cell').nth(250);
    await cell.scrollIntoViewIfNeeded();
    await cell.hover();
    const info = page.getByTestId('cell-info');
    await expect.poll(() => info.textContent()).toMatch(/^Cell 250 /);
    const infoBox = await info.boundingBox();
    expect(infoBox).not.toBeNull();
    expect((infoBox?.y ?? 0) + (infoBox?.height ?? 0)).toBeLessThanOrEqual(720);
    expect(infoBox?.y ?? -1).toBeGreaterThanOrEqual(0);
    // The arrow keys of the keyboard table move the highlighted cell of a focused grid.
    await page.getByTestId('grid-result').focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => info.textContent()).toMatch(/^Cell 234 /);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => info.textContent()).toMatch(/^Cell 233 /);

    // The default pack has no global branch: the header says so before Ask is opened.
    expect(await page.getByTestId('ask-needs').textContent()).toBe(
      'Ask needs a tokenizer pack with a global branch',
    );
    expect(await page.getByTestId('ask-needs').isVisible()).toBe(true);
    await screenshot(page, 'results-ux-1280x720');
  });

  it('shows a banner’s close button plainly, in the light theme too, however long the message', async () => {
    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings-theme').selectOption('light');
    await page.getByTestId('settings-save').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme'])).toBe('light');
    // A file that is not an image, under a name far wider than the window: the error quotes the name.
    await page.getByTestId('file-input').setInputFiles({
      name: `${'a_very_long_file_name_without_any_spaces_'.repeat(12)}.png`,
      mimeType: 'image/png',
      buffer: Buffer.from('this is not an image'),
    });
    const banner = page.getByRole('alert').filter({ hasText: 'not a supported image' });
    await banner.waitFor();
    const close = banner.getByRole('button', { name: 'Dismiss error' });
    const closeBox = await close.boundingBox();
    expect(closeBox).not.toBeNull();
    expect((closeBox?.x ?? 0) + (closeBox?.width ?? 0)).toBeLessThanOrEqual(1280);
    // The × against what is behind it (the button's own background, or the banner's where the button has none),
    // by the WCAG contrast ratio; 3:1 is the least for a control.
    const contrast = await close.evaluate((button) => {
      const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
      const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
        const c = [r, g, b].map((v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * (c[0] ?? 0) + 0.7152 * (c[1] ?? 0) + 0.0722 * (c[2] ?? 0);
      };
      const own = getComputedStyle(button).backgroundColor;
      const transparent = own === 'transparent' || rgb(own)[3] === 0;
      const behind = transparent ? getComputedStyle(button.parentElement as Element).backgroundColor : own;
      const [a, b] = [luminance(rgb(getComputedStyle(button).color)), luminance(rgb(behind))];
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    });
    expect(contrast).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'results-ux-long-banner');
    await close.click();
    await expect.poll(() => banner.count()).toBe(0);
  });

  it('fits a small photo to the canvas, enlarging it', async () => {
    const small = await sharp({
      create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 120, b: 40 } },
    })
      .png()
      .toBuffer();
    await page
      .getByTestId('file-input')
      .setInputFiles({ name: 'small.png', mimeType: 'image/png', buffer: small });
    await expect.poll(() => page.getByTestId('image-meta').textContent()).toContain('64×48');
    const stage = page.locator('[data-testid="photo-stage"][data-loaded="true"]');
    await stage.waitFor();
    const box = await stage.boundingBox();
    const scale = Number(await stage.getAttribute('data-scale'));
    expect(scale).toBeGreaterThan(2);
    // Fit means the photo spans the stage on one side, less the margin.
    expect(Math.max((64 * scale) / (box?.width ?? 1), (48 * scale) / (box?.height ?? 1))).toBeGreaterThan(
      0.8,
    );
    await screenshot(page, 'results-ux-small-photo-fit');
  });
});
