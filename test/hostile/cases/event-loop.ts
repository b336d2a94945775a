import sharp from 'sharp';
import type { CaseGroup, HostileCase, HostileContext } from '../case';
import { api, expect, value } from '../http';
import { heaviestRequests } from '../heavy-requests';

/**
 * No valid request may hold the server's event loop: while the heaviest requests the budgets allow are being
 * prepared (a 100 MP photo opened, the most a mask may draw over it, a canvas extended to the pixel limit),
 * another call must keep answering. Each case probes listRuns back to back and fails when one probe waited
 * longer than LATENCY_LIMIT_MS.
 */

const SIDE = 10_000;
const LATENCY_LIMIT_MS = 250;

let imageId = 0;

/** Calls listRuns back to back until `done` settles; returns the slowest answer's time and the count. */
async function probeWhile(
  ctx: HostileContext,
  done: Promise<unknown>,
): Promise<{ worst: number; probes: number }> {
  const state = { settled: false };
  const settle = () => {
    state.settled = true;
  };
  void done.then(settle, settle);
  let worst = 0;
  let probes = 0;
  while (!state.settled) {
    const started = performance.now();
    await value(ctx.server, 'listRuns', { limit: 5 });
    worst = Math.max(worst, performance.now() - started);
    probes++;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { worst: Math.round(worst), probes };
}

/** Resolves when the job has left preparation: it reported progress (models loading, queued) or ended. */
async function prepared(ctx: HostileContext, jobId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ctx.events.events.some((e) => 'jobId' in e && e.jobId === jobId)) {
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} was still being prepared after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function heavyRestoreCase(label: string, body: Record<string, unknown>): HostileCase {
  return {
    name: `other calls answer within ${LATENCY_LIMIT_MS} ms while ${label} is prepared on a 100 MP photo`,
    timeoutMs: 300_000,
    run: async (ctx) => {
      const reply = api(ctx.server, 'startRestore', { imageId, protocol: 'blind', ...body }, 60_000);
      const started = await probeWhile(ctx, reply);
      const envelope = await reply;
      expect(envelope.ok, `the request was refused: ${envelope.error?.code} ${envelope.error?.message}`);
      const { jobId } = envelope.value as { jobId: string };
      const preparing = prepared(ctx, jobId, 240_000);
      const during = await probeWhile(ctx, preparing);
      await preparing;
      await value(ctx.server, 'cancelJob', { jobId });
      await ctx.events.outcome(jobId, 60_000);
      const worst = Math.max(started.worst, during.worst);
      expect(
        worst <= LATENCY_LIMIT_MS,
        `listRuns waited ${worst} ms (slowest of ${started.probes + during.probes} calls)`,
      );
    },
  };
}

export const eventLoopGroup: CaseGroup = {
  name: 'event loop',
  cases: () => {
    const cropped = SIDE / 2;
    const grow = (SIDE - cropped) / 2;
    const heavy = heaviestRequests(SIDE, SIDE).filter(
      ([, body]) => body['task'] !== 'outpaint' || !body['extend'],
    );
    return [
      {
        name: `other calls answer within ${LATENCY_LIMIT_MS} ms while a 100 MP photo is opened`,
        timeoutMs: 180_000,
        run: async (ctx) => {
          const png = await sharp({ create: { width: SIDE, height: SIDE, channels: 3, background: '#4a7' } })
            .png()
            .toBuffer();
          const opening = api(
            ctx.server,
            'openUpload',
            { name: 'huge.png', base64: png.toString('base64') },
            170_000,
          );
          const { worst, probes } = await probeWhile(ctx, opening);
          const opened = await opening;
          expect(opened.ok, `the photo was refused: ${opened.error?.code} ${opened.error?.message}`);
          imageId = (opened.value as { imageId: number }).imageId;
          expect(worst <= LATENCY_LIMIT_MS, `listRuns waited ${worst} ms (slowest of ${probes} calls)`);
        },
      },
      ...heavy.map(([label, body]) => heavyRestoreCase(label, body)),
      heavyRestoreCase('a canvas extended to the pixel limit', {
        task: 'outpaint',
        crop: { x: 0, y: 0, width: cropped, height: cropped },
        extend: { top: grow, right: grow, bottom: grow, left: grow },
      }),
    ];
  },
};
