/**
 * An image worker (node:worker_threads): runs `imageOps` for the main thread, one message per call. Large arrays
 * in the answers are moved to shared memory here, so the main thread neither copies nor waits for them.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { imageOps, type ImageOpName } from './image-ops';
import { shareLarge } from './share';

export interface WorkerCall {
  readonly id: number;
  readonly op: ImageOpName;
  readonly args: unknown[];
}

export type WorkerAnswer =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly name: string; readonly code?: unknown; readonly message: string };
    };

/*
 * On Linux a thread is its own scheduling entity and setpriority(0) reaches the calling thread only: the worker
 * yields the CPU to the main thread, so on a busy machine the server answers first. Elsewhere it would lower the
 * whole process, so it is left alone.
 */
if (process.platform === 'linux') {
  try {
    setPriority(0, 10);
  } catch {
    // Not allowed here (a sandbox): the worker runs at the normal priority.
  }
}

const port = parentPort;
if (port) {
  port.on('message', (call: WorkerCall) => {
    void answer(call).then((reply) => port.postMessage(reply));
  });
}

async function answer(call: WorkerCall): Promise<WorkerAnswer> {
  try {
    const run = imageOps[call.op] as (...args: unknown[]) => unknown;
    const value: unknown = await run(...call.args);
    return { id: call.id, ok: true, value: shareLarge(value) };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    return { id: call.id, ok: false, error: { name, message, ...(code === undefined ? {} : { code }) } };
  }
}
