import { describe, expect, it } from 'vitest';
import { FifoLock } from '../../src-main/engine/fifo-lock';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('FifoLock', () => {
  it('runs holders one at a time, in the order they asked, and tells a waiting one how many are ahead', async () => {
    const lock = new FifoLock();
    const log: string[] = [];
    const queued: number[] = [];
    const job = (name: string) =>
      lock.run(
        new AbortController().signal,
        (ahead) => queued.push(ahead),
        async () => {
          log.push(`${name} start`);
          await tick();
          log.push(`${name} end`);
          return name;
        },
      );
    const results = await Promise.all([job('a'), job('b'), job('c')]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(queued).toEqual([1, 2]);
    expect(lock.pending).toBe(0);
  });

  it('a job cancelled while it waits never runs, and the queue moves on after the holder', async () => {
    const lock = new FifoLock();
    const log: string[] = [];
    const first = lock.run(
      new AbortController().signal,
      () => undefined,
      async () => {
        await tick();
        log.push('first');
      },
    );
    const controller = new AbortController();
    const cancelled = lock.run(
      controller.signal,
      () => undefined,
      () => {
        log.push('cancelled ran');
        return Promise.resolve();
      },
    );
    const third = lock.run(
      new AbortController().signal,
      () => undefined,
      () => {
        log.push('third');
        return Promise.resolve();
      },
    );
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    await Promise.all([first, third]);
    expect(log).toEqual(['first', 'third']);
  });

  it('a failing holder releases the lock', async () => {
    const lock = new FifoLock();
    const signal = new AbortController().signal;
    const failing = lock.run(
      signal,
      () => undefined,
      () => Promise.reject(new Error('boom')),
    );
    const next = lock.run(
      signal,
      () => undefined,
      () => Promise.resolve('next'),
    );
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });

  it('tells each waiter when it is next in line: once the holder ahead has started, not before', async () => {
    const lock = new FifoLock();
    const signal = new AbortController().signal;
    const log: string[] = [];
    const gates = [0, 1, 2].map(() => {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { open, opened };
    });
    const holders = [0, 1, 2].map((i) =>
      lock.run(
        signal,
        () => undefined,
        async () => {
          log.push(`start ${i}`);
          await gates[i]?.opened;
        },
        () => log.push(`next ${i}`),
      ),
    );
    await tick();
    // The first has no one ahead; the second's turn is next once the first runs; the third waits behind both.
    expect(log).toEqual(['next 0', 'start 0', 'next 1']);
    gates[0]?.open();
    await tick();
    expect(log).toEqual(['next 0', 'start 0', 'next 1', 'start 1', 'next 2']);
    gates[1]?.open();
    gates[2]?.open();
    await Promise.all(holders);
    expect(log.slice(-1)).toEqual(['start 2']);
  });
});
