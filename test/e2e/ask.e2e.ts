import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureGlobalPack } from '../helpers/global-pack';
import {
  closeAll,
  launchBrowser,
  screenshot,
  startStudioServer,
  studioSuite,
  type StudioServer,
} from './harness';
import { requireModels } from './models';

async function openSample(page: Page, id: string): Promise<void> {
  await page.getByTestId(`sample-${id}`).click();
  await page.locator('[data-testid="photo-stage"][data-loaded="true"]').waitFor();
}

/** The Ask panel with the default pack, which has no global branch: disabled, saying why and what to install. */
describe('Ask panel, default pack (no global branch)', () => {
  const studio = studioSuite({ prepare: requireModels });

  it('is disabled, and the header says what it needs', async () => {
    const { server, browser } = studio();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.launchUrl);
    await openSample(page, 'chelsea');
    const needs = page.getByTestId('ask-needs');
    await needs.waitFor();
    expect(await needs.textContent()).toBe('Ask needs a tokenizer pack with a global branch');
    // The full reason, with what to install, is the tooltip of both.
    const reason = (await needs.getAttribute('title')) ?? '';
    expect(reason).toContain('"v2l-default" has no global branch');
    expect(reason).toContain('official V2L weights');
    const button = page.getByTestId('open-ask');
    expect(await button.isDisabled()).toBe(true);
    expect(await button.getAttribute('title')).toBe(reason);
    await screenshot(page, '20-ask-unavailable');
    await page.close();
  });
});

/** A random-weight pack with a global branch, made by the converter: classification runs and shows its scores. */
describe('Ask panel and results, pack with a global branch', () => {
  let server: StudioServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const previousPack = process.env['V2L_PACK'];

  beforeAll(async () => {
    requireModels();
    // The server inherits the environment: V2L_PACK makes it load the converted pack.
    process.env['V2L_PACK'] = await ensureGlobalPack();
    server = await startStudioServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(server.launchUrl);
  }, 600_000);
  afterAll(async () => {
    if (previousPack === undefined) delete process.env['V2L_PACK'];
    else process.env['V2L_PACK'] = previousPack;
    await closeAll(browser, server);
  });

  it('classifies the open photo among labelled examples and shows every label\u2019s score', async () => {
    await openSample(page, 'rocket');
    await page.getByTestId('open-ask').click();
    await page.getByTestId('ask-kind-classify').waitFor();
    // The first availability check loads the pack (hashes, sessions): seconds on a busy machine.
    await expect.poll(() => page.getByTestId('ask-kind-vqa').isDisabled(), { timeout: 90_000 }).toBe(false);
    expect(await page.getByTestId('ask-unavailable').count()).toBe(0);
    expect(await page.getByTestId('ask-query-name').textContent()).toContain('rocket');

    await page.getByTestId('ask-add-example-sample').selectOption('chelsea');
    await page.getByTestId('ask-example-label-0').fill('cat');
    expect(await page.getByTestId('ask-run').isDisabled()).toBe(true);
    expect(await page.getByTestId('ask-blocked').textContent()).toContain('two labels');
    await page.getByTestId('ask-add-example-sample').selectOption('coffee');
    await page.getByTestId('ask-example-label-1').fill('coffee cup');
    await page.getByTestId('ask-run').click();

    const scores = page.getByTestId('ask-scores');
    await scores.waitFor({ timeout: 90_000 });
    const rows = scores.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    const labels = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-label')));
    expect([...labels].sort()).toEqual(['cat', 'coffee cup']);
    expect(await page.getByTestId('ask-answer-text').textContent()).toBe(labels[0]);
    for (const cells of await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    )) {
      expect(Number(cells[0])).toBeLessThan(0);
      expect(cells[2]).toMatch(/\d+\.\d %/);
    }
    expect(await page.getByTestId('ask-query-words').locator('li').count()).toBe(21);
    expect(await page.getByTestId('ask-prompt').textContent()).toContain(
      "output is one of ['cat' or ['coffee cup']",
    );
    await screenshot(page, '21-ask-classify');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('shows a run\u2019s 21 global words above the token grids, with id and text on hover', async () => {
    await page.getByTestId('task-inpaint').check();
    await page.getByTestId('protocol-reference').check();
    await page.getByTestId('run-button').click();
    await page.locator('[data-testid="results"][data-status="done"]').waitFor({ timeout: 120_000 });
    const words = page.getByTestId('global-words');
    expect(await words.locator('li').count()).toBe(21);
    const first = words.locator('li').first();
    await first.hover();
    const id = await first.getAttribute('data-global-id');
    expect(Number(id)).toBeGreaterThanOrEqual(0);
    expect(await page.getByTestId('global-words-info').textContent()).toContain(`id ${id}`);
    expect(await page.getByTestId('global-words-info').textContent()).toContain(
      `“${(await first.textContent()) ?? ''}”`,
    );
    await screenshot(page, '22-global-words');
  });
});
