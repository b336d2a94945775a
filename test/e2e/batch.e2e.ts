import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { OUTPUT_DIR, screenshot, studioSuite } from './harness';
import { requireModels } from './models';

const SAMPLES = path.resolve('resources', 'samples');
const sample = (name: string) => path.join(SAMPLES, name);

/**
 * Records every state each batch row shows, as the page renders it: a photo's restoration takes seconds, too short
 * to catch its progress by polling. Entries read "name|state|percent|status text".
 */
async function recordRowStates(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen = new Set<string>();
    Object.assign(window, { batchSeen: seen });
    const record = () => {
      for (const row of document.querySelectorAll<HTMLElement>('[data-testid="batch-row"]')) {
        const text = row.querySelector('[data-testid="batch-row-status"]')?.textContent ?? '';
        seen.add(`${row.dataset['name']}|${row.dataset['state']}|${row.dataset['percent'] ?? ''}|${text}`);
      }
    };
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  });
  return () => page.evaluate(() => [...(window as unknown as { batchSeen: Set<string> }).batchSeen]);
}

const row = (page: Page, name: string) => page.locator(`[data-testid="batch-row"][data-name="${name}"]`);

/** Several photos through one task and protocol: a queue of restore jobs in the engine, one row per photo. */
describe('batch restoration (server mode, default models)', () => {
  const studio = studioSuite({ prepare: requireModels });

  it('restores photos picked together, one row each, goes on past a broken one, and lists their runs', async () => {
    const { server, browser } = studio();
    const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    await page.goto(server.launchUrl);
    await page.getByText('Open a photo to begin').waitFor();
    const seen = await recordRowStates(page);

    fs.mkdirSync(OUTPUT_DIR, { recursive: true });
    const broken = path.join(OUTPUT_DIR, 'batch-not-a-photo.jpg');
    fs.writeFileSync(broken, 'this is a text file, not a JPEG\n');
    await page
      .getByTestId('file-input')
      .setInputFiles([sample('chelsea.png'), broken, sample('coffee.png'), sample('astronaut.png')]);

    // Several files open the batch panel, not the first of them in the editor.
    const panel = page.getByTestId('batch-panel');
    await panel.waitFor();
    await expect.poll(() => page.locator('[data-testid="batch-row"][data-state="ready"]').count()).toBe(4);
    expect(await page.getByTestId('image-meta').count()).toBe(0);
    // Settings' default protocol; a whole-photo task with its options from the registry.
    expect(await page.getByTestId('batch-protocol-reference').isChecked()).toBe(true);
    await page.getByTestId('batch-task-deblur').check();
    await page.getByTestId('batch-blur-kernel').waitFor();
    expect(await page.getByTestId('batch-full-resolution').isChecked()).toBe(false);
    await screenshot(page, '50-batch-ready');

    await page.getByTestId('batch-start').click();
    // The last photo is cancelled before its turn comes.
    await row(page, 'astronaut.png').getByTestId('batch-row-cancel').click();
    await row(page, 'astronaut.png').and(page.locator('[data-state="cancelled"]')).waitFor();

    // Escape closes the panel and stops nothing; the toolbar's Batch button opens it again.
    await page
      .locator('[data-testid="batch-row"][data-state="running"]')
      .first()
      .waitFor({ timeout: 60_000 });
    await screenshot(page, '51-batch-running');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('batch-button').textContent()).toMatch(/of 4 done/);
    await page.getByTestId('batch-button').click();
    await panel.waitFor();

    await row(page, 'coffee.png').and(page.locator('[data-state="done"]')).waitFor({ timeout: 120_000 });
    await row(page, 'chelsea.png').and(page.locator('[data-state="done"]')).waitFor();
    const failed = row(page, 'batch-not-a-photo.jpg');
    expect(await failed.getAttribute('data-state')).toBe('failed');
    expect(await failed.getByTestId('batch-row-status').textContent()).toContain('batch-not-a-photo.jpg');
    await expect
      .poll(() => page.getByTestId('batch-summary').textContent())
      .toBe('2 of 4 done · 1 failed · 1 cancelled');
    await screenshot(page, '52-batch-done');

    // Each photo waited its turn, then showed its progress (a step short of the end) and the time left.
    const states = await seen();
    expect(states.some((s) => s.startsWith('coffee.png|waiting|'))).toBe(true);
    const running = states.filter((s) => s.split('|')[1] === 'running');
    expect(running.some((s) => Number(s.split('|')[2]) > 0 && Number(s.split('|')[2]) < 100)).toBe(true);
    expect(running.some((s) => / left$/.test(s))).toBe(true);

    // The new runs are in the Runs list (their photos in Recent), and a done row opens its run with its photo.
    const runs = page.locator('[data-testid^="history-run-"]');
    await expect.poll(() => runs.count()).toBe(2);
    await expect.poll(() => page.locator('.recent li').count()).toBeGreaterThanOrEqual(2);
    const listed = (await page.getByTestId('history').textContent()) ?? '';
    expect(listed).toContain('chelsea.png');
    expect(listed).toContain('coffee.png');
    await row(page, 'chelsea.png').getByTestId('batch-row-open').click();
    await panel.waitFor({ state: 'detached' });
    await page.locator('[data-testid="results"][data-status="done"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('image-meta').textContent()).toContain('chelsea.png');
    await page.close();
  });

  it('keeps its rows across a reload while the engine goes on with the jobs', async () => {
    const { server, browser } = studio();
    const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    await page.goto(server.launchUrl);
    await page.getByText('Open a photo to begin').waitFor();

    await page.getByTestId('file-input').setInputFiles([sample('rocket.jpg'), sample('motorcycle_left.png')]);
    await page.getByTestId('batch-task-rotate').check();
    await page.getByTestId('batch-start').click();
    // Both photos are the engine's once each row has its job.
    await expect
      .poll(
        () =>
          page.evaluate(() =>
            (JSON.parse(sessionStorage.getItem('v2l.batch') ?? '[]') as { jobId: string | null }[]).filter(
              (r) => r.jobId !== null,
            ),
          ),
        { timeout: 60_000 },
      )
      .toHaveLength(2);

    await page.reload();
    await page.getByTestId('batch-button').click();
    await page.getByTestId('batch-panel').waitFor();
    expect(await page.getByTestId('batch-row').count()).toBe(2);
    await row(page, 'rocket.jpg').and(page.locator('[data-state="done"]')).waitFor({ timeout: 120_000 });
    await row(page, 'motorcycle_left.png')
      .and(page.locator('[data-state="done"]'))
      .waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('batch-summary').textContent()).toBe('2 of 2 done');
    await expect.poll(() => page.locator('[data-testid^="history-run-"]').count()).toBe(4);
    // Clearing the ended rows empties the batch, and its toolbar button goes.
    await page.getByTestId('batch-clear').click();
    await expect.poll(() => page.getByTestId('batch-row').count()).toBe(0);
    expect(await page.getByTestId('batch-button').count()).toBe(0);
    await page.close();
  });
});
