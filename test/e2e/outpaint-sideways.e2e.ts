import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshot, studioOnSampleSuite, waitForRunResults } from './harness';
import { dragOnImage, requireModels } from './models';

/** Outpainting beyond the photo's right edge: every row is damaged, and the blind protocol must still run. */
describe('sideways outpainting (server mode, default models)', () => {
  const studio = studioOnSampleSuite('astronaut', { prepare: requireModels });
  let page: Page;
  beforeAll(() => {
    page = studio().page;
  });

  it('extends the canvas to the right and restores it with the blind protocol', async () => {
    const stage = () => page.getByTestId('photo-stage');
    await page.getByTestId('task-outpaint').check();
    await page.keyboard.press('x');
    await dragOnImage(page, [
      [511, 256],
      [560, 256],
    ]);
    await expect.poll(async () => stage().getAttribute('data-extend')).toMatch(/^0,[1-9][0-9]*,0,0$/);
    await page.getByTestId('protocol-blind').check();
    await expect.poll(() => page.getByTestId('run-blocked').isVisible()).toBe(false);
    await page.getByTestId('run-button').click();
    await waitForRunResults(page, 120_000);
    await screenshot(page, '40-outpaint-sideways');
  });
});
