import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import llamaTokenizer from 'llama-tokenizer-js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyLlamaGguf } from '../helpers/gguf';
import { ModelHost } from '../helpers/model-host';
import { launchBrowser, screenshot, startStudioServer, type StudioServer, closeAll } from './harness';

/** Settings → Language model in the browser: import by path, a refused upload, selection that persists. */
describe('language models in Settings (server mode)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-e2e-lm-'));
  const good = path.join(dir, 'tiny-llama.gguf');
  const foreign = path.join(dir, 'mistral-like.gguf');
  const host = new ModelHost();
  let server: StudioServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    writeTinyLlamaGguf(good, { seed: 11 });
    const tokens = llamaTokenizer.vocabById.slice();
    tokens[9000] = 'ĠMistral';
    writeTinyLlamaGguf(foreign, { tokens });
    // Four 5 MB chunks: enough for a download to be paused with some of them on disk.
    const big = path.join(dir, 'big.gguf');
    writeTinyLlamaGguf(big, { dim: 128, heads: 4, ff: 128, seed: 4 });
    host.files.set('big.gguf', fs.readFileSync(big));
    await host.start();
    // The host is plain http on loopback: the studio downloads from it only as a listed local mirror.
    process.env['V2L_MODEL_MIRRORS'] = 'http://127.0.0.1';
    server = await startStudioServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.launchUrl);
  });
  afterAll(async () => {
    await closeAll(browser, server, host);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const items = () => page.getByTestId('lm-item');
  const openSettings = async () => {
    await page.getByTestId('open-settings').click();
    await page.getByTestId('lm-section').waitFor();
    // The first list also starts llama.cpp's runtime in the server, to name the device: seconds on a busy machine.
    await expect.poll(() => items().count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  };

  it('lists the bundled model with its header facts and the device', async () => {
    await openSettings();
    const bundled = page.locator('[data-testid="lm-item"][data-lm-id="0"]');
    expect(await bundled.getAttribute('data-selected')).toBe('true');
    expect(await bundled.getByTestId('lm-facts').textContent()).toMatch(
      /MB · F16 · llama · [\d.]+ M parameters/,
    );
    expect(await bundled.getByTestId('lm-vocab').textContent()).toContain('LLaMA-2 vocabulary');
    await expect
      .poll(() => page.getByTestId('lm-device').textContent(), { timeout: 20_000 })
      .toMatch(/Runs on: (CPU|CUDA|Vulkan|Metal)/);
  });

  it('imports a generated GGUF by its path, shows what its header says, and uses it', async () => {
    // Labelled controls: reachable by their names, as a screen reader or keyboard user finds them.
    await page.getByLabel('Path on this computer').fill(good);
    await page.getByLabel('Path on this computer').press('Enter');
    await expect.poll(() => items().count(), { timeout: 20_000 }).toBe(2);
    const item = items().nth(1);
    expect(await item.locator('strong').textContent()).toBe('tiny-llama-test');
    expect(await item.getByTestId('lm-facts').textContent()).toBe(
      '4.9 MB · F32 · llama · 1.0 M parameters · context 4,096',
    );
    expect(await item.getByTestId('lm-vocab').textContent()).toBe(
      '✓ LLaMA-2 vocabulary (32,000 tokens match)',
    );
    expect(await page.getByTestId('lm-message').textContent()).toMatch(/^Imported tiny-llama-test/);

    await item.getByRole('button', { name: 'Use this model' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => item.getAttribute('data-selected'), { timeout: 20_000 }).toBe('true');
    expect(await page.locator('[data-lm-id="0"]').getAttribute('data-selected')).toBe('false');
    expect(await page.getByTestId('lm-message').textContent()).toBe('Restorations now use tiny-llama-test.');
    await screenshot(page, '23-language-models');
  });

  it('refuses a GGUF with another vocabulary, picked in the browser or given by path, saying why', async () => {
    await page.getByTestId('lm-file-input').setInputFiles(foreign);
    const message = page.locator('[data-testid="lm-message"][role="alert"]');
    await message.waitFor();
    expect(await message.textContent()).toMatch(
      /^mistral-like\.gguf does not use LLaMA-2's vocabulary \(token 9000 is "ĠMistral", expected .*\)\. Use a LLaMA-2-family GGUF\.$/,
    );
    await screenshot(page, '24-language-model-refused');

    await page.getByLabel('Path on this computer').fill(foreign);
    await page.getByTestId('lm-import-path').click();
    await expect.poll(() => message.textContent(), { timeout: 20_000 }).toMatch(/token 9000 is "ĠMistral"/);
    expect(await items().count()).toBe(2);
    expect(fs.existsSync(foreign)).toBe(true);
  });

  it('keeps the choice after a reload, and removing the entry leaves the file and returns to the bundled model', async () => {
    await page.reload();
    await openSettings();
    await expect.poll(() => items().count(), { timeout: 20_000 }).toBe(2);
    const item = items().nth(1);
    expect(await item.getAttribute('data-selected')).toBe('true');
    await item.getByRole('button', { name: 'Remove from list' }).click();
    await expect.poll(() => items().count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('[data-lm-id="0"]').getAttribute('data-selected')).toBe('true');
    expect(fs.existsSync(good)).toBe(true);
  });

  it('refuses a download address that is not a model URI, with the accepted forms', async () => {
    await page.getByLabel('Model URI').fill('ftp://example.com/model.gguf');
    await page.getByTestId('lm-download').click();
    const message = page.locator('[data-testid="lm-message"][role="alert"]');
    await expect
      .poll(() => message.textContent(), { timeout: 20_000 })
      .toMatch(/uses ftp:, not http\(s\): use hf:user\/repo\/file\.gguf/);
  });

  it('downloads from a local model host with a progress bar, pauses, and resumes to a listed model', async () => {
    host.stallFrom = 10 * 1024 * 1024;
    await page.getByLabel('Model URI').fill(host.url('big.gguf'));
    await page.getByTestId('lm-download').click();
    const progress = page.getByTestId('lm-progress');
    await expect
      .poll(() => progress.getByRole('status').textContent(), { timeout: 30_000 })
      .toMatch(/^1\d\.\d MB of 17\.6 MB/);
    expect(await progress.locator('progress').getAttribute('max')).toBe(
      String(host.files.get('big.gguf')?.length),
    );
    await screenshot(page, '25-language-model-download');

    await progress.getByRole('button', { name: 'Pause' }).click();
    await expect
      .poll(() => page.getByTestId('lm-message').textContent(), { timeout: 20_000 })
      .toMatch(/^Download paused at/);
    const partial = page.getByTestId('lm-partials').locator('li');
    await expect
      .poll(() => partial.textContent(), { timeout: 20_000 })
      .toMatch(/big\.gguf stopped at 10\.5 MB of 17\.6 MB/);

    host.release();
    await partial.getByRole('button', { name: 'Resume' }).click();
    await expect
      .poll(() => page.getByTestId('lm-message').textContent(), { timeout: 60_000 })
      .toBe('Downloaded and checked: the model is listed above.');
    const item = items().filter({ hasText: host.url('big.gguf') });
    expect(await item.getByTestId('lm-facts').textContent()).toMatch(/^17\.6 MB · F32 · llama/);
    expect(await page.getByTestId('lm-partials').count()).toBe(0);
  });
});
