import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTPUT_DIR, screenshot, stageInkFraction, studioSuite } from './harness';

describe('studio in the browser (server mode)', () => {
  const studio = studioSuite();

  it('opens a bundled sample and shows it on the Konva stage', async () => {
    const { server, browser } = studio();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.launchUrl);
    // The token is traded for a cookie and removed from the address.
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await page.getByText('Open a photo to begin').waitFor();
    await screenshot(page, '01-empty-state');

    await page.getByTestId('sample-astronaut').click();
    await page.locator('[data-testid="photo-stage"][data-loaded="true"]').waitFor();
    await expect.poll(() => stageInkFraction(page)).toBeGreaterThan(0.2);
    await expect.poll(() => page.getByTestId('image-meta').textContent()).toContain('512×512');
    const file = await screenshot(page, '02-sample-open');
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);

    // It is now in the recent list, with a thumbnail from the store.
    await expect.poll(() => page.locator('.recent img').count()).toBe(1);
    await page.close();
  });

  it('shows a clear error for a broken file and keeps the current photo', async () => {
    const { server, browser } = studio();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.launchUrl);
    await page.getByTestId('sample-coffee').click();
    await page.locator('[data-testid="photo-stage"][data-loaded="true"]').waitFor();

    const broken = path.join(OUTPUT_DIR, 'not-a-photo.jpg');
    fs.mkdirSync(OUTPUT_DIR, { recursive: true });
    fs.writeFileSync(broken, 'this is a text file, not a JPEG\n');
    await page.getByTestId('file-input').setInputFiles(broken);

    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    expect(await banner.getAttribute('data-code')).toBe('IMAGE_UNSUPPORTED_FORMAT');
    expect(await banner.textContent()).toContain('not-a-photo.jpg');
    expect(await page.getByTestId('image-meta').textContent()).toContain('coffee');
    await screenshot(page, '03-broken-file-error');
    await page.close();
  });

  it('refuses API calls and sockets without the launch token', async () => {
    const { server } = studio();
    const api = await fetch(`${server.url}api/appInfo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(api.status).toBe(401);
    const withToken = await fetch(`${server.url}api/appInfo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-v2l-token': server.token },
      body: '{}',
    });
    expect(withToken.status).toBe(200);
    expect(((await withToken.json()) as { ok: boolean }).ok).toBe(true);
    const page = await fetch(server.url);
    expect(page.status).toBe(401);
  });
});
