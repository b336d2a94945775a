/**
 * `npx tsx test/hostile/measure-block.ts [side]`: how long the heaviest requests the budgets allow keep the main
 * thread busy, on a side x side photo (default 10,000: the 100 MP limit). For each request it prints one JSON
 * line: `inline_ms`, the longest the event loop was held when the work runs on the main thread (as it did
 * before the image workers); `worker_ms`, the time the same work takes in an image worker; `worker_gap_ms`, the
 * longest a 5 ms timer waited meanwhile (CPU contention included); and `worker_active_ms`, the main thread's
 * busy time over the whole call, an upper bound on any block.
 */
import sharp from 'sharp';
import type { RestoreRequest } from '../../src-shared/contract/restore';
import { checkRequestComplexity } from '../../src-main/engine/restore/complexity';
import { imageOps } from '../../src-main/engine/workers/image-ops';
import {
  closeImageWorkers,
  prepareRestoreOffThread,
  runOffThread,
} from '../../src-main/engine/workers/image-pool';
import { shareLarge } from '../../src-main/engine/workers/share';
import { heaviestRequests } from './heavy-requests';

/**
 * Runs `work` while a 5 ms timer ticks; returns how long it took, the longest gap between ticks, and the event
 * loop's active time (performance.eventLoopUtilization): the time the main thread spent running code rather than
 * waiting, which bounds any single block even when other processes hold the CPU and stretch the gaps.
 */
async function blocked(work: () => unknown): Promise<{ ms: number; blockMs: number; activeMs: number }> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const started = performance.now();
  const loop = performance.eventLoopUtilization();
  await work();
  const { active } = performance.eventLoopUtilization(loop);
  const ms = performance.now() - started;
  longest = Math.max(longest, performance.now() - last);
  clearInterval(timer);
  return { ms: Math.round(ms), blockMs: Math.round(longest), activeMs: Math.round(active) };
}

const side = Number(process.argv[2] ?? 10_000);
const photo = shareLarge({ width: side, height: side, data: new Uint8Array(side * side * 3).fill(120) });
const report = (
  what: string,
  inline: { blockMs: number },
  worker: { ms: number; blockMs: number; activeMs: number },
) =>
  console.log(
    JSON.stringify({
      what,
      side,
      inline_ms: inline.blockMs,
      worker_ms: worker.ms,
      worker_gap_ms: worker.blockMs,
      worker_active_ms: worker.activeMs,
    }),
  );

for (const [label, body] of heaviestRequests(side, side)) {
  const request = { imageId: 1, protocol: 'blind', ...body } as RestoreRequest;
  checkRequestComplexity(request, photo);
  const inline = await blocked(() => imageOps.prepareRestore(photo, request));
  const worker = await blocked(() => prepareRestoreOffThread(photo, request));
  report(label, inline, worker);
}

const png = await sharp({ create: { width: side, height: side, channels: 3, background: '#7a8' } })
  .png()
  .toBuffer();
const source = { base64: png.toString('base64'), label: 'large.png' };
const options = { displayMaxSide: 2048 };
const inline = await blocked(() => imageOps.openImage(source, options));
const worker = await blocked(() => runOffThread('openImage', source, options));
report('opening the photo (decode, hash, thumbnail, display copy)', inline, worker);
await closeImageWorkers();
