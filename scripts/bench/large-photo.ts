/**
 * A 4000x3000 photo with one brushed region, end to end through the studio's Engine (a fresh data folder, the
 * bundled models): open (decode, thumbnail, display copy), then the restore job (window around the damage,
 * tokenize, LLM, decode, paste back, encode the 128 px results and the full-size photo as PNG, record the run).
 * The models are loaded by a first, untimed restoration of a bundled sample: model loading is cold_start's part.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { StudioEvent } from '../../src-shared/contract/api';
import type { RestoreRequest } from '../../src-shared/contract/restore';
import { Engine } from '../../src-main/engine/engine';
import { defaultResourcesDir } from '../../src-main/engine/paths';
import { readPackageVersion } from '../../src-main/engine/version';

export const LARGE_WIDTH = 4000;
export const LARGE_HEIGHT = 3000;

export interface LargePhotoResult {
  readonly seconds: number;
  readonly open_seconds: number;
  readonly restore_seconds: number;
  readonly window_side: number;
  readonly predicted_cells: number;
}

/** A 4000x3000 JPEG made from a bundled sample (resized, so it has a photo's content), in `dir`. */
async function makePhoto(dir: string): Promise<string> {
  const file = path.join(dir, 'large-photo.jpg');
  await sharp(path.join(defaultResourcesDir(), 'samples', 'coffee.png'))
    .resize(LARGE_WIDTH, LARGE_HEIGHT, { fit: 'fill' })
    .jpeg({ quality: 92 })
    .toFile(file);
  return file;
}

/** Resolves when job `jobId` ends: done, or rejects with its error. Listens from before the job is started. */
function jobWaiter(engine: Engine) {
  const ended = new Map<string, StudioEvent>();
  const waiting = new Map<string, (event: StudioEvent) => void>();
  engine.events.on('event', (event) => {
    if (event.type !== 'job.done' && event.type !== 'job.failed') return;
    const resolve = waiting.get(event.jobId);
    if (resolve) resolve(event);
    else ended.set(event.jobId, event);
  });
  return (jobId: string) =>
    new Promise<void>((resolve, reject) => {
      const settle = (event: StudioEvent) => {
        if (event.type === 'job.failed') reject(new Error(`restore job failed: ${event.error.message}`));
        else resolve();
      };
      const early = ended.get(jobId);
      if (early) settle(early);
      else waiting.set(jobId, settle);
    });
}

export async function measureLargePhoto(log: (message: string) => void): Promise<LargePhotoResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-bench-large-'));
  const engine = new Engine({
    dataDir: path.join(dir, 'data'),
    resourcesDir: defaultResourcesDir(),
    version: readPackageVersion(),
    transport: 'server',
  });
  try {
    const file = await makePhoto(dir);
    const waitFor = jobWaiter(engine);
    const sample = await engine.openSample({ id: 'astronaut' });
    await waitFor(
      (await engine.startRestore({ imageId: sample.imageId, task: 'inpaint', protocol: 'reference' })).jobId,
    );
    log('  models loaded; timing the large photo');

    const started = performance.now();
    const opened = await engine.openPath(file);
    const openSeconds = (performance.now() - started) / 1000;
    // One brush stroke across a cup, 60 px wide: the kind of blemish a user paints out.
    const request: RestoreRequest = {
      imageId: opened.imageId,
      task: 'inpaint',
      protocol: 'reference',
      seed: 0,
      mask: {
        strokes: [
          {
            points: [
              { x: 1800, y: 1400 },
              { x: 1950, y: 1480 },
              { x: 2100, y: 1520 },
            ],
            radius: 30,
          },
        ],
        rects: [],
      },
    };
    const { jobId } = await engine.startRestore(request);
    await waitFor(jobId);
    const seconds = (performance.now() - started) / 1000;

    const [run] = await engine.listRuns({ imageId: opened.imageId, limit: 1 });
    if (!run) throw new Error('the large photo left no run');
    const photo = path.join(dir, 'data', 'runs', String(run.runId), 'photo.png');
    const meta = await sharp(photo).metadata();
    if (meta.width !== LARGE_WIDTH || meta.height !== LARGE_HEIGHT) {
      throw new Error(
        `the pasted-back photo is ${meta.width}x${meta.height}, not ${LARGE_WIDTH}x${LARGE_HEIGHT}`,
      );
    }
    const details = JSON.parse(
      fs.readFileSync(path.join(dir, 'data', 'runs', String(run.runId), 'run.json'), 'utf8'),
    ) as { window: { side: number } | null; predictedCells: number[] };
    return {
      seconds,
      open_seconds: openSeconds,
      restore_seconds: seconds - openSeconds,
      window_side: details.window?.side ?? 0,
      predicted_cells: details.predictedCells.length,
    };
  } finally {
    await engine.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
