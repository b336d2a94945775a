import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

/**
 * The restoration tests need the default tokenizer pack and language model. They fail (not skip) without them, with
 * a message that says what is missing and where it goes. V2L_PACK / V2L_LM point the engine elsewhere, as in the app.
 */
export function requireModels(): void {
  const root = path.resolve('resources', 'models');
  const problems: string[] = [];
  const pack = process.env['V2L_PACK'];
  const packs = fs.existsSync(root)
    ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'manifest.json')))
    : [];
  if (pack ? !fs.existsSync(pack) && !fs.existsSync(path.join(root, pack)) : packs.length === 0) {
    problems.push(
      `no tokenizer pack: expected a folder with manifest.json under ${root} (or V2L_PACK naming one)`,
    );
  }
  const lm = process.env['V2L_LM'];
  const ggufs = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((d) => fs.statSync(path.join(root, d)).isDirectory())
        .flatMap((d) => fs.readdirSync(path.join(root, d)).filter((f) => f.endsWith('.gguf')))
    : [];
  if (lm ? !fs.existsSync(lm) : ggufs.length === 0) {
    problems.push(`no language model: expected resources/models/<folder>/<name>.gguf (or V2L_LM naming one)`);
  }
  if (problems.length > 0) {
    throw new Error(
      `The restoration tests need the default models, and ${problems.join('; ')}. ` +
        'Install them into resources/models (see README, Models) and run again.',
    );
  }
}

/** Page coordinates of an image pixel on the editor stage, from the viewport the stage publishes. */
export async function imageToPage(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const stage = page.getByTestId('photo-stage');
  const box = await stage.boundingBox();
  const scale = Number(await stage.getAttribute('data-scale'));
  const [ox, oy] = ((await stage.getAttribute('data-offset')) ?? '0,0').split(',').map(Number);
  if (!box) throw new Error('the editor stage is not on screen');
  return { x: box.x + (ox ?? 0) + x * scale, y: box.y + (oy ?? 0) + y * scale };
}

/** Drags the mouse through image pixels on the stage. */
export async function dragOnImage(page: Page, points: readonly [number, number][]): Promise<void> {
  const [first, ...rest] = points;
  if (!first) return;
  const start = await imageToPage(page, first[0], first[1]);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  for (const [x, y] of rest) {
    const p = await imageToPage(page, x, y);
    await page.mouse.move(p.x, p.y, { steps: 8 });
  }
  await page.mouse.up();
}
