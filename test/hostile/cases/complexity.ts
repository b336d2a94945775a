import sharp from 'sharp';
import type { CaseGroup, HostileCase, HostileContext } from '../case';
import { api, expect, value } from '../http';

type Point = { x: number; y: number };
const stroke = (points: Point[], radius = 5, erase = false) => ({
  points,
  radius,
  ...(erase ? { erase } : {}),
});
const zigzag = (count: number, size: number): Point[] =>
  Array.from({ length: count }, (_, i) => ({ x: (i % 2) * size, y: (i * 37) % size }));

let imageId = 0;

/** A 2000x2000 photo: large enough that each budget can be exceeded by a request of a few kilobytes. */
async function openLargePhoto(ctx: HostileContext): Promise<number> {
  const png = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#7a8' } })
    .png()
    .toBuffer();
  const opened = await value<{ imageId: number }>(ctx.server, 'openUpload', {
    name: 'large.png',
    base64: png.toString('base64'),
  });
  return opened.imageId;
}

/** Over-budget requests: each refused in well under a second, before any drawing. */
const OVER_BUDGET: readonly [string, () => Record<string, unknown>][] = [
  [
    '2,001 strokes',
    () => ({
      task: 'inpaint',
      mask: { strokes: Array.from({ length: 2_001 }, () => stroke([{ x: 1, y: 1 }])), rects: [] },
    }),
  ],
  ['50,001 points', () => ({ task: 'inpaint', mask: { strokes: [stroke(zigzag(50_001, 10))], rects: [] } })],
  [
    '1,001 rectangles',
    () => ({
      task: 'inpaint',
      mask: {
        strokes: [],
        rects: Array.from({ length: 1_001 }, () => ({ x: 0, y: 0, width: 2, height: 2 })),
      },
    }),
  ],
  [
    'ten strokes of a 10,000 px brush',
    () => ({ task: 'inpaint', mask: { strokes: [stroke(zigzag(11, 2000), 10_000)], rects: [] } }),
  ],
  [
    'the 44 KB request that froze the server (1,000 points, 500 px brush)',
    () => ({ task: 'inpaint', mask: { strokes: [stroke(zigzag(1_000, 2000), 500)], rects: [] } }),
  ],
  [
    'erasers drawn twice over budget',
    () => ({
      task: 'inpaint',
      mask: { strokes: [stroke(zigzag(6, 2000), 3_000, true)], rects: [{ x: 0, y: 0, width: 9, height: 9 }] },
    }),
  ],
  [
    'a blur region over budget',
    () => ({ task: 'deblur', blurRegion: { strokes: [stroke(zigzag(1_000, 2000), 500)], rects: [] } }),
  ],
  [
    'a canvas extended to 104 MP',
    () => ({
      task: 'outpaint',
      protocol: 'blind',
      extend: { top: 4096, right: 4096, bottom: 4096, left: 4096 },
    }),
  ],
];

export const complexityGroup: CaseGroup = {
  name: 'request complexity',
  cases: () => [
    {
      name: 'opens a 2000x2000 photo to attack',
      run: async (ctx) => {
        imageId = await openLargePhoto(ctx);
        expect(imageId > 0, 'no image id');
      },
    },
    ...OVER_BUDGET.map(([label, body]): HostileCase => ({
      name: `refuses ${label}`,
      run: async (ctx) => {
        const started = performance.now();
        const reply = await api(ctx.server, 'startRestore', { imageId, protocol: 'blind', ...body() });
        const took = performance.now() - started;
        expect(!reply.ok, 'the request was accepted');
        expect(reply.error?.code === 'REFUSED', `${reply.error?.code}: ${reply.error?.message}`);
        expect(took < 1_000, `the refusal took ${Math.round(took)} ms`);
      },
    })),
    {
      name: 'other calls are answered at once while over-budget requests arrive',
      run: async (ctx) => {
        const attacks = OVER_BUDGET.map(([, body]) =>
          api(ctx.server, 'startRestore', { imageId, protocol: 'blind', ...body() }),
        );
        const started = performance.now();
        await value(ctx.server, 'appInfo', undefined);
        const took = performance.now() - started;
        await Promise.all(attacks);
        expect(took < 1_000, `appInfo waited ${Math.round(took)} ms`);
      },
    },
    {
      name: 'a mask within budget is accepted and answered at once (then cancelled)',
      timeoutMs: 120_000,
      run: async (ctx) => {
        const started = performance.now();
        const { jobId } = await value<{ jobId: string }>(ctx.server, 'startRestore', {
          imageId,
          task: 'inpaint',
          protocol: 'blind',
          mask: {
            strokes: [stroke(zigzag(200, 300), 20)],
            rects: [{ x: 900, y: 900, width: 40, height: 40 }],
          },
        });
        const took = performance.now() - started;
        await value(ctx.server, 'cancelJob', { jobId });
        await ctx.events.outcome(jobId, 110_000);
        expect(took < 1_000, `the job id took ${Math.round(took)} ms`);
      },
    },
  ],
};
