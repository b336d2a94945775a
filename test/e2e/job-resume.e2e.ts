import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { callApi, studioOnSampleSuite } from './harness';
import { requireModels } from './models';

/** The fields of the contract's JobSnapshot this test reads (the e2e project compiles apart from the contract). */
interface JobSnapshot {
  readonly jobId: string;
  readonly kind: string;
  readonly state: string;
  readonly imageId: number | null;
  readonly runId: number | null;
  readonly error: unknown;
  readonly endedAt: string | null;
}

/** Job state kept by the engine: a reloaded studio takes up the restoration still running, from listJobs. */
describe('a restoration followed across a reload (server mode, default models)', () => {
  const studio = studioOnSampleSuite('astronaut', { prepare: requireModels });
  let page: Page;
  beforeAll(() => {
    page = studio().page;
  });

  const call = async <T>(method: string, input: unknown): Promise<T> => {
    const reply = (await callApi(studio().server, method, input)) as {
      ok: boolean;
      value: T;
      error?: unknown;
    };
    if (!reply.ok) throw new Error(`${method} failed: ${JSON.stringify(reply.error)}`);
    return reply.value;
  };

  it('reopens the photo of a running restoration after a reload and shows its progress to the end', async () => {
    const [photo] = await call<{ imageId: number }[]>('recentImages', { limit: 1 });
    if (!photo) throw new Error('the sample is not among the recent photos');
    // Two restorations of the centre cells: the second waits its turn for the models, which keeps it
    // unfinished for the whole reload even on a fast machine.
    const request = { imageId: photo.imageId, task: 'inpaint', protocol: 'reference' };
    const first = await call<{ jobId: string }>('startRestore', request);
    const second = await call<{ jobId: string }>('startRestore', { ...request, seed: 1 });

    const listed = await call<JobSnapshot[]>('listJobs', undefined);
    expect(listed.map((j) => j.jobId).slice(0, 2)).toEqual([second.jobId, first.jobId]);
    expect(listed[0]).toMatchObject({ kind: 'restore', imageId: photo.imageId, endedAt: null });

    await page.reload();
    // No photo is open in a fresh window: the running restoration's photo is opened, and its Run panel follows it.
    await page.locator('[data-testid="photo-stage"][data-loaded="true"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="job-status"][data-status="running"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('cancel-button').count()).toBe(1);
    await page.getByTestId('progress-text').waitFor({ timeout: 60_000 });

    const results = page.locator('[data-testid="results"][data-status="done"]');
    await results.waitFor({ timeout: 240_000 });
    const ended = await call<JobSnapshot[]>('listJobs', undefined);
    const mine = ended.find((j) => j.jobId === second.jobId);
    expect(mine).toMatchObject({ kind: 'restore', state: 'done', error: null });
    expect(mine?.endedAt).not.toBeNull();
    expect(await results.getAttribute('data-run-id')).toBe(String(mine?.runId));
    expect(ended.find((j) => j.jobId === first.jobId)).toMatchObject({ state: 'done' });
  });
});
