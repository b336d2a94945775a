import { StudioError } from './errors';
import { throwIfCancelled } from './jobs';

/**
 * One holder at a time, served in the order they asked. The loaded language model has one llama.cpp context
 * whose sequences and KV cache are not safe to share: two restorations evaluating at once failed ("Eval has
 * failed") or were saved with each other's words. Jobs that need the model take this lock and wait their turn.
 */
export class FifoLock {
  private tail: Promise<void> = Promise.resolve();
  /** Settles once the latest holder has started its work, or left the queue without it. */
  private lastStarted: Promise<void> = Promise.resolve();
  private holders = 0;

  /** Jobs holding or waiting for the lock. */
  get pending(): number {
    return this.holders;
  }

  /**
   * Runs `work` once every earlier holder has finished. `onQueued` is called when the caller has to wait; a
   * cancelled signal stops the wait (JOB_CANCELLED) without running `work`, and the queue moves on.
   * `onNextInLine` is called once the holder just ahead has started (at once when there is none): the moment to
   * get ready, so that a long queue does not hold every waiter's inputs at once.
   */
  async run<T>(
    signal: AbortSignal,
    onQueued: (ahead: number) => void,
    work: () => Promise<T>,
    onNextInLine?: () => void,
  ): Promise<T> {
    throwIfCancelled(signal);
    const ahead = this.holders;
    this.holders++;
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    const aheadStarted = this.lastStarted;
    let started!: () => void;
    this.lastStarted = new Promise<void>((resolve) => (started = resolve));
    if (ahead === 0) onNextInLine?.();
    else if (onNextInLine) void aheadStarted.then(() => signal.aborted || onNextInLine());
    try {
      if (ahead > 0) {
        onQueued(ahead);
        await waitOrAbort(previous, signal);
      }
      throwIfCancelled(signal);
      started();
      return await work();
    } finally {
      started();
      this.holders--;
      // The next holder starts only after the previous one released, even when this one was cancelled waiting.
      void previous.then(release);
    }
  }
}

function waitOrAbort(turn: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () =>
      reject(new StudioError('JOB_CANCELLED', 'The job was cancelled while it waited its turn.'));
    signal.addEventListener('abort', onAbort, { once: true });
    void turn.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
