import type { StudioEvent } from '../../../src-shared/contract/api';
import type { CaseGroup, HostileCase, HostileContext } from '../case';
import { checkRequestComplexity, REQUEST_LIMITS } from '../../../src-main/engine/restore/complexity';
import type { RestoreRequest } from '../../../src-shared/contract/restore';
import { expect, value } from '../http';

interface RunResult {
  readonly status: string;
  readonly words: string;
  readonly metrics: string;
}

const REQUESTS = {
  A: { task: 'inpaint', protocol: 'blind', seed: 3 },
  B: { task: 'deblur', protocol: 'blind', seed: 5, blurSigma: 2 },
} as const;

let imageId = 0;
let photoSize = { width: 0, height: 0 };
const solo = new Map<string, RunResult>();
const together = new Map<string, RunResult>();
const jobs = new Map<string, string>();

async function start(ctx: HostileContext, request: object): Promise<string> {
  const { jobId } = await value<{ jobId: string }>(ctx.server, 'startRestore', { imageId, ...request });
  return jobId;
}

/** What a run produced that must not depend on other jobs: its words and its metrics (not its timings). */
async function result(ctx: HostileContext, jobId: string): Promise<RunResult> {
  const end = await ctx.events.outcome(jobId, 300_000);
  if (end.type === 'job.failed')
    throw new Error(`the restoration failed: ${end.error.code} ${end.error.message}`);
  const started = ctx.events.events.find(
    (e): e is StudioEvent & { type: 'restore.started' } => e.type === 'restore.started' && e.jobId === jobId,
  );
  expect(started, 'no restore.started event');
  const run = await value<{
    status: string;
    grids: { result: { id: number }[] } | null;
    metrics: Record<string, number> | null;
  }>(ctx.server, 'getRun', { runId: started.runId });
  return {
    status: run.status,
    words: JSON.stringify(run.grids?.result.map((c) => c.id) ?? null),
    metrics: JSON.stringify(run.metrics),
  };
}

/**
 * A mask confined to the photo's top-left corner (so blind inpainting has intact words to learn from) with
 * every stroke and point the budgets allow, at the widest brush they still accept: the slowest to draw.
 */
function slowCornerMask(): RestoreRequest['mask'] {
  const strokes = REQUEST_LIMITS.strokes;
  const perStroke = Math.floor(REQUEST_LIMITS.points / strokes);
  for (let radius = 40; radius > 1; radius--) {
    const mask = {
      rects: [],
      strokes: Array.from({ length: strokes }, (_, s) => ({
        radius,
        points: Array.from({ length: perStroke }, (_, i) => ({
          x: 20 + ((s + i) % 30),
          y: 20 + ((s * 7 + i) % 30),
        })),
      })),
    };
    try {
      checkRequestComplexity({ imageId, task: 'inpaint', protocol: 'blind', mask }, photoSize, 1e8);
      return mask;
    } catch {
      // Over budget: a narrower brush.
    }
  }
  throw new Error('no corner mask fits the budgets');
}

function same(name: string): HostileCase {
  return {
    name: `${name} run beside another equals ${name} run alone`,
    run: () => {
      const alone = solo.get(name);
      const beside = together.get(name);
      expect(alone && beside, 'a run is missing');
      expect(beside.status === 'done', `status ${beside.status}`);
      expect(beside.words === alone.words, 'the predicted words differ');
      expect(beside.metrics === alone.metrics, `the metrics differ: ${beside.metrics} vs ${alone.metrics}`);
      return Promise.resolve();
    },
  };
}

export const restoreGroup: CaseGroup = {
  name: 'concurrent restorations',
  cases: () => [
    {
      name: 'each request run alone (the references)',
      timeoutMs: 600_000,
      run: async (ctx) => {
        const opened = await value<{ imageId: number; width: number; height: number }>(
          ctx.server,
          'openSample',
          {
            id: 'astronaut',
          },
        );
        imageId = opened.imageId;
        photoSize = { width: opened.width, height: opened.height };
        for (const [name, request] of Object.entries(REQUESTS)) {
          solo.set(name, await result(ctx, await start(ctx, request)));
        }
      },
    },
    {
      name: 'two restorations started at once both finish',
      timeoutMs: 600_000,
      run: async (ctx) => {
        const ids = await Promise.all(Object.values(REQUESTS).map((request) => start(ctx, request)));
        Object.keys(REQUESTS).forEach((name, i) => jobs.set(name, ids[i] ?? ''));
        const results = await Promise.all(ids.map((id) => result(ctx, id)));
        Object.keys(REQUESTS).forEach((name, i) => results[i] && together.set(name, results[i]));
      },
    },
    same('A'),
    same('B'),
    {
      name: 'the second job said it was queued',
      run: (ctx) => {
        const queued = ctx.events.events.some(
          (e) => e.type === 'job.progress' && e.jobId === jobs.get('B') && /^Queued/.test(e.message),
        );
        expect(queued, 'no "Queued" progress for the second job');
        return Promise.resolve();
      },
    },
    {
      // The first job's mask is the heaviest the budgets allow, so it takes longest to prepare: the turn still
      // goes by the order the jobs were started in.
      name: 'jobs take their turn in the order they were started, not as their preparations finish',
      timeoutMs: 600_000,
      run: async (ctx) => {
        const first = await start(ctx, {
          task: 'inpaint',
          protocol: 'blind',
          seed: 1,
          mask: slowCornerMask(),
        });
        const second = await start(ctx, REQUESTS.B);
        await Promise.all([result(ctx, first), result(ctx, second)]);
        const order = ctx.events.events
          .filter((e) => e.type === 'restore.started' && (e.jobId === first || e.jobId === second))
          .map((e) => (e.type === 'restore.started' && e.jobId === first ? 'first' : 'second'));
        expect(order.join() === 'first,second', `the runs started in the order ${order.join()}`);
      },
    },
    {
      name: 'a queued job that is cancelled never runs, and the first is unaffected',
      timeoutMs: 600_000,
      run: async (ctx) => {
        const first = await start(ctx, REQUESTS.A);
        const second = await start(ctx, REQUESTS.B);
        await value(ctx.server, 'cancelJob', { jobId: second });
        const end = await ctx.events.outcome(second, 60_000);
        expect(
          end.type === 'job.failed' && end.error.code === 'JOB_CANCELLED',
          'the queued job was not cancelled',
        );
        const started = ctx.events.events.some((e) => e.type === 'restore.started' && e.jobId === second);
        expect(!started, 'the cancelled job started a run');
        const firstResult = await result(ctx, first);
        expect(firstResult.words === solo.get('A')?.words, 'the first job predicted other words');
      },
    },
  ],
};
