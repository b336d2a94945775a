import { randomUUID } from 'node:crypto';
import type { StudioEvent } from '../../src-shared/contract/api';
import { StudioError, toErrorPayload } from './errors';

export interface JobContext {
  readonly signal: AbortSignal;
  /** Reports progress; also the point where a cancelled job stops, by throwing JOB_CANCELLED. */
  progress(step: number, of: number, message: string, tokensPerSecond?: number): void;
}

type Emit = (event: StudioEvent) => void;

/**
 * Runs long engine work (restorations, evaluations) as cancellable jobs that push progress with an ETA. The
 * job's promise settles with its value; listeners see job.progress / job.done / job.failed events.
 */
export class JobRunner {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly emit: Emit,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start<T>(work: (ctx: JobContext) => Promise<T>): { jobId: string; result: Promise<T> } {
    const jobId = randomUUID();
    const controller = new AbortController();
    this.running.set(jobId, controller);
    const startedAt = this.now();
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (step, of, message, tokensPerSecond) => {
        throwIfCancelled(controller.signal);
        const elapsed = (this.now() - startedAt) / 1000;
        // A linear ETA from the steps done so far; undefined until there is a first step to extrapolate.
        const etaSeconds = step > 0 ? (elapsed / step) * (of - step) : undefined;
        this.emit({
          type: 'job.progress',
          jobId,
          step,
          of,
          message,
          ...(tokensPerSecond === undefined ? {} : { tokensPerSecond }),
          ...(etaSeconds === undefined ? {} : { etaSeconds }),
        });
      },
    };
    const result = (async () => {
      try {
        const value = await work(ctx);
        throwIfCancelled(controller.signal);
        this.emit({ type: 'job.done', jobId });
        return value;
      } catch (error) {
        this.emit({ type: 'job.failed', jobId, error: toErrorPayload(error) });
        throw error;
      } finally {
        this.running.delete(jobId);
      }
    })();
    return { jobId, result };
  }

  /** Returns false when no such job is running (already finished, or never existed). */
  cancel(jobId: string): boolean {
    const controller = this.running.get(jobId);
    if (!controller) return false;
    controller.abort();
    return true;
  }

  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort();
  }

  get activeCount(): number {
    return this.running.size;
  }
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new StudioError('JOB_CANCELLED', 'The job was cancelled.');
}
