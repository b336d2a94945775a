import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { RestoreRequest } from '../../../src-shared/contract/restore';
import { isErrorCode } from '../../../src-shared/contract/errors';
import { StudioError } from '../errors';
import type { DecodedImage } from '../image/decode';
import type { RgbImage } from '../image/types';
import type { PreparedRestore } from '../restore/prepare';
import type { DamageWindow } from '../restore/window';
import type { ImageOpName, ImageOps, ImageSource, OpenedPixels } from './image-ops';
import type { WorkerAnswer, WorkerCall } from './image-worker';

/*
 * A small pool of image workers: the main thread hands them the image work of a request (decoding, preparing a
 * restoration) and keeps answering other calls meanwhile. Workers start on first use, are not kept alive for
 * their own sake (an idle pool does not hold the process open), and a worker that dies fails only the calls it
 * was running; the next call starts a fresh one.
 */

const POOL_SIZE = Math.max(1, Math.min(2, availableParallelism()));

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
}

let slots: Slot[] = [];
let nextId = 1;

/**
 * How a worker is started. From the TypeScript sources (tsx, vitest) the worker first registers tsx's loader
 * and then imports the .ts entry; in the electron-vite build the entry is emitted next to the main bundle as
 * image-worker.js (electron.vite.config.ts).
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./image-worker.ts', here).href;
    const require = createRequire(here);
    // tsx's ESM API (the `import` build: its CommonJS build cannot be imported from an evaluated worker).
    const tsxApi = pathToFileURL(
      join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
    ).href;
    const code =
      `import(${JSON.stringify(tsxApi)})` +
      `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })` +
      `.catch((error) => { setImmediate(() => { throw error; }); });`;
    return new Worker(code, { eval: true });
  }
  const dir = dirname(fileURLToPath(here));
  const entry = [join(dir, 'image-worker.js'), join(dir, '..', 'image-worker.js')].find((file) =>
    existsSync(file),
  );
  if (entry === undefined) {
    throw new StudioError(
      'INTERNAL',
      `The image worker (image-worker.js) is missing next to ${dir}: rebuild the app.`,
    );
  }
  return new Worker(entry);
}

function spawn(): Slot {
  const slot: Slot = { worker: startWorker(), pending: new Map() };
  const fail = (error: Error) => {
    slots = slots.filter((s) => s !== slot);
    for (const { reject } of slot.pending.values()) reject(error);
    slot.pending.clear();
  };
  slot.worker.on('message', (answer: WorkerAnswer) => {
    const call = slot.pending.get(answer.id);
    if (!call) return;
    slot.pending.delete(answer.id);
    if (slot.pending.size === 0) slot.worker.unref();
    if (answer.ok) call.resolve(answer.value);
    else call.reject(revive(answer.error));
  });
  slot.worker.on('error', (error) =>
    fail(new StudioError('INTERNAL', `An image worker failed: ${error.message}`, { cause: error })),
  );
  slot.worker.on('exit', (code) =>
    fail(new StudioError('INTERNAL', `An image worker stopped (exit code ${code}) before it answered.`)),
  );
  slot.worker.unref();
  slots.push(slot);
  return slot;
}

function revive(error: { name: string; code?: unknown; message: string }): Error {
  if (error.name === 'StudioError' && isErrorCode(error.code))
    return new StudioError(error.code, error.message);
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}

/** The idle worker, else a new one while the pool has room, else the least busy. */
function pick(): Slot {
  const idle = slots.find((slot) => slot.pending.size === 0);
  if (idle) return idle;
  if (slots.length < POOL_SIZE) return spawn();
  return slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
}

/** Runs an image operation in a worker; answers as the operation itself would, errors included. */
export function runOffThread<K extends ImageOpName>(
  op: K,
  ...args: Parameters<ImageOps[K]>
): Promise<Awaited<ReturnType<ImageOps[K]>>> {
  return new Promise((resolve, reject) => {
    let slot: Slot;
    try {
      slot = pick();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const id = nextId++;
    slot.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    slot.worker.ref();
    const call: WorkerCall = { id, op, args };
    try {
      slot.worker.postMessage(call);
    } catch (error) {
      slot.pending.delete(id);
      if (slot.pending.size === 0) slot.worker.unref();
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** Stops every image worker (calls in flight fail); the next call starts new ones. */
export async function closeImageWorkers(): Promise<void> {
  const stopping = slots;
  slots = [];
  await Promise.all(stopping.map((slot) => slot.worker.terminate()));
}

/** Buffers cross the thread boundary as plain Uint8Arrays: give them back their type. */
function asBuffer(bytes: Uint8Array | Buffer): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function reviveDecoded(decoded: DecodedImage): DecodedImage {
  return {
    ...decoded,
    ...(decoded.exif ? { exif: asBuffer(decoded.exif) } : {}),
    ...(decoded.icc ? { icc: asBuffer(decoded.icc) } : {}),
  };
}

/** `prepareRestore` in an image worker. */
export function prepareRestoreOffThread(photo: RgbImage, request: RestoreRequest): Promise<PreparedRestore> {
  // As JSON text: a mask of 50,000 points is ~50,000 objects, which structured cloning copies one by one
  // (100+ ms here); the text is written in a few ms and read in the worker. Requests hold finite numbers only.
  return runOffThread('prepareRestoreJson', photo, JSON.stringify(request));
}

/** `pasteWindow` in an image worker: the photo comes back in shared memory, not copied. */
export function pasteWindowOffThread(
  photo: RgbImage,
  window: DamageWindow,
  restored: RgbImage,
  decoded?: RgbImage,
): Promise<RgbImage> {
  return runOffThread('pasteWindow', photo, window, restored, decoded);
}

/** Parses a large request body (UTF-8 JSON, best in shared memory) in an image worker. */
export function parseJsonOffThread(bytes: Uint8Array): Promise<unknown> {
  return runOffThread('parseJson', bytes);
}

/** Decodes a photo and makes its thumbnail and display copy in an image worker. */
export async function openImageOffThread(
  source: ImageSource,
  options: { readonly maxPixels?: number; readonly displayMaxSide: number },
): Promise<OpenedPixels> {
  const opened = await runOffThread('openImage', source, options);
  return {
    ...opened,
    decoded: reviveDecoded(opened.decoded),
    thumbnail: asBuffer(opened.thumbnail),
    ...(opened.bytes ? { bytes: asBuffer(opened.bytes) } : {}),
  };
}

/** `loadImageFile` in an image worker. */
export async function loadImageOffThread(path: string, maxPixels?: number): Promise<DecodedImage> {
  return reviveDecoded(await runOffThread('loadImage', path, maxPixels));
}
