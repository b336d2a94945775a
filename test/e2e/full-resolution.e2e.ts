import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshot, studioOnSampleSuite } from './harness';
import { dragOnImage, requireModels } from './models';

/** A whole-photo restoration at the photo's own size, and the tile picker of its results. */
describe('full resolution (server mode, default models)', () => {
  const studio = studioOnSampleSuite('astronaut', { prepare: requireModels });
  let page: Page;
  beforeAll(() => {
    page = studio().page;
  });

  it('restores a small crop tile by tile, and picking another tile shows its words', async () => {
    // A crop of about 200x150: 2x2 tiles, a few seconds each.
    await page.keyboard.press('c');
    await dragOnImage(page, [
      [100, 120],
      [200, 200],
      [300, 270],
    ]);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('photo-stage').getAttribute('data-crop')).not.toBe('none');

    await page.getByTestId('task-shift').check();
    await page.getByTestId('protocol-reference').check();
    await page.getByTestId('full-resolution').check();
    await expect
      .poll(() => page.getByTestId('full-resolution-hint').textContent())
      .toMatch(/4 tiles of 128 px/);

    await page.getByTestId('run-button').click();
    await page.locator('[data-testid="results"][data-status="done"]').waitFor({ timeout: 120_000 });
    const picker = page.getByTestId('tile-picker');
    await picker.waitFor();
    expect(await page.getByTestId('tile-label').textContent()).toBe('Tile 1 of 4');
    expect(await page.getByTestId('image-photo').isVisible()).toBe(true);
    const firstWords = await page.getByTestId('grid-corrupted').textContent();
    await screenshot(page, '40-full-resolution-tile-1');

    await page.getByTestId('tile-cell-3').click();
    await expect.poll(() => page.getByTestId('tile-label').textContent()).toBe('Tile 4 of 4');
    await expect.poll(() => page.getByTestId('grid-corrupted').textContent()).not.toBe(firstWords);
    await screenshot(page, '41-full-resolution-tile-4');

    // [ steps back one tile.
    await page.keyboard.press('[');
    await expect.poll(() => picker.getAttribute('data-tile-index')).toBe('2');

    // Export follows the picked tile: its view and grids PNG are tile 3's, the JSON holds every tile.
    const source = page.getByTestId('export-source');
    expect(await source.locator('option').allTextContents()).toEqual([
      "At the photo's own size (all 4 tiles)",
      "Tile 3's 128 px view",
    ]);
    await source.selectOption('view');
    await page.getByTestId('export-button').click();
    await page.getByTestId('export-done').waitFor();
    const names = await page.locator('[data-testid="export-done"] li').allTextContents();
    expect(names.join(' ')).toMatch(
      /run-\d+-tile-3-restored\.png .*run-\d+-grids\.json .*run-\d+-tile-3-grids\.png/,
    );
  });
});
