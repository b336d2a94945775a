import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { callApi, screenshot, studioOnSampleSuite } from './harness';
import { dragOnImage } from './models';

/** The editor without models: mask tools, named actions with undo/redo, zoom, the shortcut sheet and settings. */
describe('editor (server mode, no models needed)', () => {
  const studio = studioOnSampleSuite('astronaut', { viewport: { width: 1400, height: 860 } });
  let page: Page;
  beforeAll(() => {
    page = studio().page;
  });

  const stage = () => page.getByTestId('photo-stage');
  const ops = async () => Number(await stage().getAttribute('data-mask-ops'));
  const coverage = async () => Number(await stage().getAttribute('data-mask-coverage'));

  it('brushes, erases, inverts and clears the mask, each step undoable and redoable', async () => {
    await dragOnImage(page, [
      [200, 200],
      [300, 220],
      [320, 300],
    ]);
    await expect.poll(ops).toBe(1);
    const painted = await coverage();
    expect(painted).toBeGreaterThan(0.01);
    await screenshot(page, '04-editor-mask');

    await page.keyboard.press('Control+z');
    await expect.poll(ops).toBe(0);
    expect(await coverage()).toBe(0);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(ops).toBe(1);
    expect(await coverage()).toBeCloseTo(painted, 3);

    // Eraser (E) through the middle of the stroke takes some paint away.
    await page.keyboard.press('e');
    await dragOnImage(page, [
      [250, 180],
      [250, 260],
    ]);
    await expect.poll(ops).toBe(2);
    expect(await coverage()).toBeLessThan(painted);

    await page.getByTestId('mask-invert').click();
    await expect.poll(coverage).toBeGreaterThan(0.9);
    await page.getByTestId('mask-clear').click();
    await expect.poll(ops).toBe(0);
    await page.getByTestId('undo').click();
    await expect.poll(coverage).toBeGreaterThan(0.9);
    await page.getByTestId('undo').click();
    await expect.poll(coverage).toBeLessThan(painted);
    expect(await page.getByTestId('redo').isEnabled()).toBe(true);
  });

  it('draws a rectangle mask and changes brush size with [ and ]', async () => {
    await page.getByTestId('mask-clear').click();
    await page.keyboard.press('r');
    await dragOnImage(page, [
      [100, 100],
      [164, 164],
    ]);
    await expect.poll(coverage).toBeGreaterThan(0.012);
    expect(await coverage()).toBeLessThan(0.02);
    const before = await page.getByTestId('brush-radius').textContent();
    await page.keyboard.press(']');
    await page.keyboard.press(']');
    expect(await page.getByTestId('brush-radius').textContent()).not.toBe(before);
  });

  it('zooms with the wheel, returns to fit with F, and goes to 100 % with 1', async () => {
    const fitScale = Number(await stage().getAttribute('data-scale'));
    const box = await stage().boundingBox();
    if (!box) throw new Error('no stage');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => Number(await stage().getAttribute('data-scale'))).toBeGreaterThan(fitScale);
    await page.keyboard.press('1');
    await expect.poll(async () => Number(await stage().getAttribute('data-scale'))).toBe(1);
    await page.keyboard.press('f');
    await expect.poll(async () => Number(await stage().getAttribute('data-scale'))).toBeCloseTo(fitScale, 3);
  });

  it('extends the canvas by dragging an edge, and undoes it', async () => {
    await page.getByTestId('task-outpaint').check();
    await page.keyboard.press('x');
    await dragOnImage(page, [
      [511, 256],
      [640, 256],
    ]);
    await expect.poll(async () => stage().getAttribute('data-extend')).toMatch(/^0,1[0-9]{2},0,0$/);
    await expect.poll(() => page.getByTestId('run-blocked').isVisible()).toBe(true);
    await page.getByTestId('extend-bottom-50').click();
    await expect.poll(async () => stage().getAttribute('data-extend')).toBe('0,0,256,0');
    await page.keyboard.press('Control+z');
    await expect.poll(async () => stage().getAttribute('data-extend')).toMatch(/^0,1[0-9]{2},0,0$/);
    await page.getByTestId('task-inpaint').check();
  });

  it('keeps the edits, task and protocol across a reload, with undo starting afresh', async () => {
    const { server } = studio();
    // The brushed area is a region to blur under deblur: the task is part of what must come back.
    await page.getByTestId('task-deblur').check();
    await page.getByTestId('protocol-blind').check();
    const before = {
      ops: await ops(),
      coverage: await coverage(),
      extend: await stage().getAttribute('data-extend'),
    };
    expect(before.ops).toBeGreaterThan(0);
    // The edits are written a moment after the last change: wait until the store has this document.
    const recent = (await callApi(server, 'recentImages', { limit: 1 })) as { value: { imageId: number }[] };
    const imageId = recent.value[0]?.imageId;
    await expect
      .poll(async () => {
        const kept = (await callApi(server, 'getEdits', { imageId })) as { value: { doc: string | null } };
        const work = JSON.parse(kept.value.doc ?? '{"mask":[]}') as { mask: unknown[]; task?: string };
        return `${work.mask.length} ${work.task ?? ''}`;
      })
      .toBe(`${before.ops} deblur`);

    await page.reload();
    await page.getByTestId('sample-astronaut').click();
    await page.locator('[data-testid="photo-stage"][data-loaded="true"]').waitFor();
    await expect.poll(ops).toBe(before.ops);
    expect(await coverage()).toBeCloseTo(before.coverage, 4);
    expect(await stage().getAttribute('data-extend')).toBe(before.extend);
    expect(await page.getByTestId('edits-notice').getAttribute('data-kind')).toBe('restored');
    expect(await page.getByTestId('undo').isDisabled()).toBe(true);
    expect(await page.getByTestId('task-deblur').isChecked()).toBe(true);
    expect(await page.getByTestId('protocol-blind').isChecked()).toBe(true);
    await screenshot(page, '26-edits-restored');

    // Clearing is an edit like any other: it is kept too, and undoable.
    await page.getByTestId('mask-clear').click();
    await expect.poll(ops).toBe(0);
    await page.reload();
    await page.getByTestId('sample-astronaut').click();
    await page.locator('[data-testid="photo-stage"][data-loaded="true"]').waitFor();
    await expect
      .poll(async () => page.getByTestId('edits-notice').getAttribute('data-kind'))
      .toBe('restored');
    expect(await ops()).toBe(0);
    await page.getByTestId('task-inpaint').check();
    await page.getByTestId('protocol-reference').check();
  });

  it('shows the shortcut sheet on ? and saves settings', async () => {
    const { server, browser } = studio();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    const sheet = page.getByTestId('shortcut-sheet');
    await sheet.waitFor();
    await screenshot(page, '10-shortcuts');
    // The sheet and the key handlers read one table: the row it shows for G is what G does.
    const gridRow = sheet.locator('tr[data-action="toggleGrid"]');
    expect(await gridRow.locator('kbd').allTextContents()).toEqual(['G']);
    expect(await gridRow.locator('td').textContent()).toBe('Show or hide the token grid');
    expect(await sheet.locator('tr[data-action="redo"] kbd').allTextContents()).toEqual([
      'Shift+Ctrl/Cmd+Z',
      'Ctrl/Cmd+Y',
    ]);
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcut-sheet').waitFor({ state: 'detached' });
    const grid = page.getByRole('checkbox', { name: 'Token grid (G)' });
    const shown = await grid.isChecked();
    await page.keyboard.press('g');
    await expect.poll(() => grid.isChecked()).toBe(!shown);
    await page.keyboard.press('G');
    await expect.poll(() => grid.isChecked()).toBe(shown);
    // ? toggles the sheet: pressed again, it closes it.
    await page.keyboard.press('?');
    await sheet.waitFor();
    await page.keyboard.press('?');
    await sheet.waitFor({ state: 'detached' });

    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings-theme').selectOption('light');
    await page.getByTestId('settings-protocol').selectOption('blind');
    await page.getByTestId('settings-threads').fill('2');
    // The installed tokenizer packs are offered by name; choosing the bundled one by name is saved as such.
    const pack = page.getByTestId('settings-pack');
    await expect.poll(() => pack.locator('option').count()).toBe(2);
    await pack.selectOption('v2l-default');
    await screenshot(page, '11-settings');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-dialog').waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme'])).toBe('light');

    // Persisted in the store: a fresh page reads them back.
    const fresh = await browser.newPage();
    await fresh.goto(server.launchUrl);
    await expect.poll(() => fresh.evaluate(() => document.documentElement.dataset['theme'])).toBe('light');
    await fresh.close();
    expect(await callApi(server, 'getSettings', undefined)).toMatchObject({
      ok: true,
      value: { tokenizerPack: 'v2l-default', threads: 2 },
    });
  });
});
