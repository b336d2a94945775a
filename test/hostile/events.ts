import WebSocket from 'ws';
import type { StudioEvent } from '../../src-shared/contract/api';
import type { ServerProcess } from './server';

/** The server's event stream, as the browser receives it, kept in order. */
export class EventLog {
  readonly events: StudioEvent[] = [];
  private socket: WebSocket | null = null;

  async connect(server: ServerProcess): Promise<void> {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/events`, {
      headers: { 'x-v2l-token': server.token },
    });
    socket.on('message', (data: Buffer) => this.events.push(JSON.parse(data.toString()) as StudioEvent));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    this.socket = socket;
  }

  close(): void {
    this.socket?.terminate();
  }

  /** The job's done or failed event, waiting for it up to `timeoutMs`. */
  async outcome(
    jobId: string,
    timeoutMs = 60_000,
  ): Promise<StudioEvent & { type: 'job.done' | 'job.failed' }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.events.find(
        (e): e is StudioEvent & { type: 'job.done' | 'job.failed' } =>
          (e.type === 'job.done' || e.type === 'job.failed') && e.jobId === jobId,
      );
      if (end) return end;
      if (Date.now() > deadline) throw new Error(`job ${jobId} did not end within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** The failure of a job that must fail, with its code and message. */
  async failure(jobId: string, timeoutMs = 60_000): Promise<{ code: string; message: string }> {
    const end = await this.outcome(jobId, timeoutMs);
    if (end.type !== 'job.failed') throw new Error(`job ${jobId} succeeded, but it had to be refused`);
    return end.error;
  }
}
