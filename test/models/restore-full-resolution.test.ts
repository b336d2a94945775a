import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../src-shared/contract/api';
import type { RestoreRequest } from '../../src-shared/contract/restore';
import { INPUT_VALIDATORS } from '../../src-shared/contract/api';
import { Engine } from '../../src-main/engine/engine';
import { decodeImageBuffer } from '../../src-main/engine/image/decode';
import { defaultResourcesDir } from '../../src-main/engine/paths';

/**
 * Whole-photo restorations at the photo's own resolution in the studio: through the real engine and the bundled
 * models, a cropped sample restored tile by tile keeps the photo's size, the run says its tiles, and each tile's
 * words and views can be asked for; a region deblur is refused full resolution; cancel stops between tiles.
 */
describe('full-resolution restorations in the studio', () => {
  let dir: string;
  let engine: Engine;
  let imageId = 0;
  // 200x150: 2x2 tiles of 128 px, a few seconds each with the bundled LM.
  const crop = { x: 120, y: 40, width: 200, height: 150 };
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-full-'));
    engine = new Engine({
      dataDir: dir,
      resourcesDir: defaultResourcesDir(),
      version: 'test',
      transport: 'server',
    });
    imageId = (await engine.openSample({ id: 'chelsea' })).imageId;
  }, 120_000);
  afterAll(async () => {
    await engine.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a restoration; resolves with its end event and run id, `onEvent` hearing every event meanwhile. */
  const restore = async (request: RestoreRequest, onEvent?: (event: StudioEvent, jobId: string) => void) => {
    let jobId = '';
    let runId = 0;
    const outcome = new Promise<StudioEvent>((resolve) => {
      const listener = (event: StudioEvent) => {
        if (!('jobId' in event) || event.jobId !== jobId) return;
        if (event.type === 'restore.started') runId = event.runId;
        onEvent?.(event, jobId);
        if (event.type === 'job.done' || event.type === 'job.failed') {
          engine.events.off('event', listener);
          resolve(event);
        }
      };
      engine.events.on('event', listener);
    });
    jobId = (await engine.startRestore(request)).jobId;
    return { end: await outcome, runId: () => runId };
  };

  it('restores a shift at the photo size, tile by tile, and shows each tile', async () => {
    const messages = new Set<string>();
    let liveWords = 0;
    const { end, runId } = await restore(
      { imageId, task: 'shift', protocol: 'reference', crop, resolution: 'full' },
      (event) => {
        if (event.type === 'job.progress') messages.add(event.message);
        // The live grid follows the tile being restored: every cell of every tile arrives as it is predicted.
        if (event.type === 'restore.cells') liveWords += event.cells.length;
      },
    );
    expect(end.type).toBe('job.done');
    expect(liveWords).toBe(4 * 256);
    expect([...messages]).toEqual(expect.arrayContaining(['Restoring tile 1 of 4', 'Restoring tile 4 of 4']));

    const run = await engine.getRun({ runId: runId() });
    expect(run.status).toBe('done');
    expect(run.tiles).toMatchObject({ count: 4, index: 0, workingSize: { width: 200, height: 150 } });
    expect(run.tiles?.origins).toEqual([
      { x: 0, y: 0 },
      { x: 72, y: 0 },
      { x: 0, y: 22 },
      { x: 72, y: 22 },
    ]);
    expect(run.images.photo).toMatch(/^data:image\/png;base64,/);
    expect(run.metrics).toMatchObject({ tiles: 4 });
    for (const key of [
      'token_accuracy',
      'psnr',
      'psnr_y',
      'ssim',
      'psnr_corrupted',
      'seam_ratio',
      'prompt_tokens',
    ])
      expect(run.metrics?.[key], key).toEqual(expect.any(Number));

    // The result at the photo's (cropped) size, which export's photo source writes.
    const png = Buffer.from((run.images.photo ?? '').split(',')[1] ?? '', 'base64');
    const photo = (await decodeImageBuffer(png, 'photo.png')).image;
    expect([photo.width, photo.height]).toEqual([crop.width, crop.height]);
    const exported = await engine.exportRun({
      runId: run.runId,
      items: ['image'],
      format: 'png',
      source: 'photo',
    });
    expect(exported.notes).toEqual([]);

    // Another tile: its own words and 128 px views; the run's metrics and photo stay.
    const third = await engine.getRun({ runId: run.runId, tile: 2 });
    expect(third.tiles?.index).toBe(2);
    expect(third.grids?.clean).toHaveLength(256);
    expect(third.grids?.clean.map((c) => c.id)).not.toEqual(run.grids?.clean.map((c) => c.id));
    expect(third.images.original).not.toBe(run.images.original);
    expect(third.images.photo).toBe(run.images.photo);
    expect(third.metrics).toEqual(run.metrics);
    // Stepping back to the first tile gives the first view again.
    expect((await engine.getRun({ runId: run.runId, tile: 0 })).grids).toEqual(run.grids);
    await expect(engine.getRun({ runId: run.runId, tile: 4 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  }, 300_000);

  it("exports every tile's words, and the picked tile's image, grids and sheet", async () => {
    const { end, runId } = await restore({
      imageId,
      task: 'deblur',
      protocol: 'reference',
      crop,
      resolution: 'full',
      blurKernel: 7,
    });
    expect(end.type).toBe('job.done');
    const tileTwo = await engine.getRun({ runId: runId(), tile: 2 });
    const exported = await engine.exportRun({
      runId: runId(),
      items: ['image', 'grids-json', 'grids-csv', 'grids-png', 'sheet'],
      source: 'view',
      tile: 2,
    });
    const file = (item: string) => exported.files.find((f) => f.item === item)?.path ?? '';
    expect(exported.files.map((f) => f.name)).toEqual([
      `run-${runId()}-tile-3-restored.png`,
      `run-${runId()}-grids.json`,
      `run-${runId()}-grids.csv`,
      `run-${runId()}-tile-3-grids.png`,
      `run-${runId()}-tile-3-sheet.png`,
    ]);

    // The image is tile 2's 128 px result, pixel for pixel.
    const decode = async (png: Buffer) => (await decodeImageBuffer(png, 'x.png')).image;
    const shown = await decode(Buffer.from((tileTwo.images.result ?? '').split(',')[1] ?? '', 'base64'));
    const written = await decode(fs.readFileSync(file('image')));
    expect([written.width, written.height]).toEqual([128, 128]);
    expect(Buffer.from(written.data).equals(Buffer.from(shown.data))).toBe(true);

    // JSON and CSV hold all four tiles, each with its place and 256 words.
    const json = JSON.parse(fs.readFileSync(file('grids-json'), 'utf8')) as {
      tiles: { tile: number; x: number; y: number; result: { id: number }[]; confidence: number[] }[];
    };
    expect(json.tiles.map((t) => [t.tile, t.x, t.y])).toEqual([
      [0, 0, 0],
      [1, 72, 0],
      [2, 0, 22],
      [3, 72, 22],
    ]);
    expect(json.tiles[2]?.result.map((c) => c.id)).toEqual(tileTwo.grids?.result.map((c) => c.id));
    expect(json.tiles.every((t) => t.result.length === 256 && t.confidence.length === 256)).toBe(true);
    const csv = fs.readFileSync(file('grids-csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toMatch(/^tile,tile_x,tile_y,cell,row,col,/);
    expect(csv).toHaveLength(1 + 4 * 256);
    expect(csv[1 + 2 * 256]).toMatch(/^2,0,22,0,0,0,/);

    // The sheet has the photo's row (200x150 fitted to 384x288) above the tile's row of 256 px panels.
    const sheet = await decode(fs.readFileSync(file('sheet')));
    expect(sheet.height).toBe(36 + 288 + 36 + 256 + 48);
    const grids = await decode(fs.readFileSync(file('grids-png')));
    expect(grids.width).toBeGreaterThan(3 * 16 * 44);

    // A tile the run lacks is refused, naming the tiles it has.
    await expect(engine.exportRun({ runId: runId(), items: ['record'], tile: 9 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  }, 300_000);

  it('refuses full resolution where there are no tiles to restore', () => {
    const refused = (request: object) => () => INPUT_VALIDATORS.startRestore(request, 'input');
    expect(refused({ imageId, task: 'inpaint', protocol: 'reference', resolution: 'full' })).toThrow(
      /resolution is only accepted with task deblur or shift or rotate, got task inpaint/,
    );
    expect(
      refused({
        imageId,
        task: 'deblur',
        protocol: 'reference',
        resolution: 'full',
        blurRegion: { strokes: [], rects: [{ x: 10, y: 10, width: 40, height: 40 }] },
      }),
    ).toThrow(/resolution 'full' restores the whole photo tile by tile; a deblur of a brushed region/);
    expect(refused({ imageId, task: 'rotate', protocol: 'blind', resolution: 'full' })).not.toThrow();
  });

  it('stops between tiles when cancelled, and records the run cancelled', async () => {
    let cancelled = false;
    const { end, runId } = await restore(
      { imageId, task: 'rotate', protocol: 'blind', crop, resolution: 'full' },
      (event, jobId) => {
        // The first report of the second tile comes once the first has ended.
        if (!cancelled && event.type === 'job.progress' && event.message === 'Restoring tile 2 of 4') {
          cancelled = true;
          void engine.cancelJob({ jobId });
        }
      },
    );
    expect(cancelled).toBe(true);
    expect(end).toMatchObject({ type: 'job.failed', error: { code: 'JOB_CANCELLED' } });
    expect((await engine.getRun({ runId: runId() })).status).toBe('cancelled');
  }, 300_000);
});
