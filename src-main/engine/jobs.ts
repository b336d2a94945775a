import { randomUUID } from 'node:crypto';
import type { StudioEvent } from '../../src-shared/contract/api';
import type { JobKind } from '../../src-shared/contract/jobs';
import { StudioError, toErrorPayload } from './errors';
import { JobRegistry } from './job-registry';

export interface JobContext {
  readonly signal: AbortSignal;
  /** Reports progress; also the point where a cancelled job stops, by throwing JOB_CANCELLED. */
  progress(step: number, of: number, message: string, tokensPerSecond?: number): void;
  /** Says the job waits its turn (for the models); the next progress report makes it running again. */
  queued(message: string): void;
  /** Names the stored run a restoration writes, once it has one. */
  ran(runId: number): void;
}

type Emit = (event: StudioEvent) => void;

export interface JobRunnerOptions {
  /** Where the jobs' snapshots are kept; shared when an engine has several runners. */
  readonly registry?: JobRegistry;
  /** The clock of the ETA, in milliseconds. */
  readonly now?: () => number;
}

/**
 * Runs long engine work (restorations, Ask, downloads) as cancellable jobs that report progress with an ETA. The
 * job's state is kept whole in the registry, which pushes a job.snapshot on every change; job.progress / job.done /
 * job.failed say the same in parts for the clients (tests, scripts) that follow those. The job's promise settles
 * with its value.
 */
export class JobRunner {
  private readonly running = new Map<string, AbortController>();
  readonly registry: JobRegistry;
  private readonly now: () => number;

  constructor(
    private readonly emit: Emit,
    options: JobRunnerOptions = {},
  ) {
    this.registry = options.registry ?? new JobRegistry(emit);
    this.now = options.now ?? (() => performance.now());
  }

  start<T>(
    kind: JobKind,
    work: (ctx: JobContext) => Promise<T>,
    imageId: number | null = null,
  ): { jobId: string; result: Promise<T> } {
    const jobId = randomUUID();
    const controller = new AbortController();
    this.running.set(jobId, controller);
    const startedAt = this.now();
    this.registry.open(jobId, kind, imageId);
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (step, of, message, tokensPerSecond) => {
        throwIfCancelled(controller.signal);
        const elapsed = (this.now() - startedAt) / 1000;
        // A linear ETA from the steps done so far; undefined until there is a first step to extrapolate.
        const etaSeconds = step > 0 ? (elapsed / step) * (of - step) : undefined;
        const progress = {
          step,
          of,
          message,
          ...(tokensPerSecond === undefined ? {} : { tokensPerSecond }),
          ...(etaSeconds === undefined ? {} : { etaSeconds }),
        };
        this.emit({ type: 'job.progress', jobId, ...progress });
        this.registry.update(jobId, { state: 'running', progress });
      },
      queued: (message) => {
        throwIfCancelled(controller.signal);
        this.emit({ type: 'job.progress', jobId, step: 0, of: 1, message });
        this.registry.update(jobId, { state: 'queued', progress: { step: 0, of: 1, message } });
      },
      ran: (runId) => this.registry.update(jobId, { runId }),
    };
    const result = (async () => {
      try {
        const value = await work(ctx);
        throwIfCancelled(controller.signal);
        this.emit({ type: 'job.done', jobId });
        this.registry.end(jobId, 'done', null);
        return value;
      } catch (error) {
        const payload = toErrorPayload(error);
        this.emit({ type: 'job.failed', jobId, error: payload });
        this.registry.end(jobId, payload.code === 'JOB_CANCELLED' ? 'cancelled' : 'failed', payload);
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
