import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../src-shared/contract/api';
import type { RestoreRequest } from '../../src-shared/contract/restore';
import { Engine } from '../../src-main/engine/engine';
import { LM_SPEED_FILE } from '../../src-main/engine/estimate/lm-speed';
import { defaultResourcesDir } from '../../src-main/engine/paths';

/**
 * The cost estimate of a restoration, through the engine with the bundled models: the work it counts before a
 * run is the work the run does, its speed comes from what was measured here (nothing, a calibration, then runs),
 * and each run keeps the estimate beside its measured time.
 */
describe('restoration estimates', () => {
  let dir: string;
  let engine: Engine;
  let imageId = 0;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-estimate-'));
    engine = new Engine({
      dataDir: dir,
      resourcesDir: defaultResourcesDir(),
      version: 'test',
      transport: 'server',
    });
    imageId = (await engine.openSample({ id: 'astronaut' })).imageId;
  }, 120_000);
  afterAll(async () => {
    await engine.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const restore = async (request: RestoreRequest) => {
    const outcome = new Promise<StudioEvent>((resolve) => {
      const listener = (event: StudioEvent) => {
        if ((event.type === 'job.done' || event.type === 'job.failed') && event.jobId === jobId) {
          engine.events.off('event', listener);
          resolve(event);
        }
      };
      engine.events.on('event', listener);
    });
    const started = new Promise<number>((resolve) =>
      engine.events.on('event', (event) => {
        if (event.type === 'restore.started' && event.jobId === jobId) resolve(event.runId);
      }),
    );
    const { jobId } = await engine.startRestore(request);
    const end = await outcome;
    if (end.type === 'job.failed') throw new Error(end.error.message);
    return engine.getRun({ runId: await started });
  };

  it('says nothing is measured, then calibrates, then follows the runs', async () => {
    const request: RestoreRequest = { imageId, task: 'deblur', protocol: 'reference', blurSigma: 2 };
    const first = await engine.estimateRestore({ request, calibrate: false });
    expect(first).toMatchObject({ seconds: null, basis: 'none', canCalibrate: true, loaded: false });
    expect(first.text).toMatch(/not measured yet/);

    const calibrated = await engine.estimateRestore({ request, calibrate: true });
    expect(calibrated).toMatchObject({ basis: 'calibration', loaded: true, canCalibrate: false });
    expect(calibrated.seconds).toBeGreaterThan(0);
    expect(calibrated.text).toMatch(/^(About .*|Under a second) with .* on \d+ CPU threads? \(/);
    expect(fs.existsSync(path.join(dir, LM_SPEED_FILE))).toBe(true);

    const run = await restore(request);
    expect(run.timings?.['llm_estimated']).toBeCloseTo(calibrated.seconds ?? 0, 6);
    const after = await engine.estimateRestore({ request, calibrate: false });
    expect(after).toMatchObject({ basis: 'runs', runs: 1 });
    // One run measured: the estimate is that run's speed times the same work.
    const llm = run.timings?.['llm'] ?? 0;
    const evaluated = run.timings?.['evaluated_tokens'] ?? 0;
    expect(after.seconds).toBeCloseTo((llm / evaluated) * after.evaluatedTokens, 6);

    // Other threads are another measurement: until one is made, the estimate is scaled from this one.
    await engine.updateSettings({ threads: 3 });
    const scaled = await engine.estimateRestore({ request, calibrate: false });
    expect(scaled).toMatchObject({ basis: 'scaled', threads: 3, canCalibrate: true });
    expect(scaled.text).toMatch(/rough/);
    await engine.updateSettings({ threads: 0 });
  }, 300_000);

  it('runs with the sequences chosen in Settings', async () => {
    const request: RestoreRequest = { imageId, task: 'shift', protocol: 'reference' };
    await restore(request);
    const two = await engine.estimateRestore({ request, calibrate: false });
    await engine.updateSettings({ sequences: 3 });
    try {
      const estimate = await engine.estimateRestore({ request, calibrate: false });
      // Three sequences are another measurement, and the count follows them (more prompts start uncached).
      expect(estimate.basis).toBe('scaled');
      expect(estimate.evaluatedTokens).toBeGreaterThan(two.evaluatedTokens);
      // The run loads the model with three sequences: the estimate after it is counted and measured for them.
      expect((await restore(request)).status).toBe('done');
      const after = await engine.estimateRestore({ request, calibrate: false });
      expect(after).toMatchObject({ basis: 'runs', evaluatedTokens: estimate.evaluatedTokens });
    } finally {
      await engine.updateSettings({ sequences: 0 });
    }
  }, 300_000);

  it.each<[string, Omit<RestoreRequest, 'imageId'>]>([
    ['inpaint, reference (sequential)', { task: 'inpaint', protocol: 'reference' }],
    ['inpaint of a brushed region, blind', { task: 'inpaint', protocol: 'blind', mask: corner() }],
    ['outpaint, reference', { task: 'outpaint', protocol: 'reference' }],
    ['deblur, blind (bank examples)', { task: 'deblur', protocol: 'blind', blurSigma: 2 }],
    ['shift, reference', { task: 'shift', protocol: 'reference' }],
    ['rotate, blind', { task: 'rotate', protocol: 'blind' }],
  ])(
    '%s: the counted work is the work the run does',
    async (_, partial) => {
      const request = { imageId, ...partial } as RestoreRequest;
      const estimate = await engine.estimateRestore({ request, calibrate: false });
      const run = await restore(request);
      expect(run.metrics?.['prompt_tokens']).toBe(estimate.promptTokens);
      const evaluated = run.timings?.['evaluated_tokens'] ?? 0;
      // Only words that happen to repeat can make a real prompt share more with the one before it.
      expect(evaluated).toBeLessThanOrEqual(estimate.evaluatedTokens);
      expect(evaluated).toBeGreaterThan(0.95 * estimate.evaluatedTokens);
    },
    300_000,
  );
});

/** A 60 px square brushed in the photo's top-left corner. */
function corner(): NonNullable<RestoreRequest['mask']> {
  return { strokes: [], rects: [{ x: 20, y: 20, width: 60, height: 60 }] };
}
