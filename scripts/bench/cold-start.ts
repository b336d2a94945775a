/**
 * Server mode from a cold process: `node --import tsx src-main/server/main.ts` with a fresh data folder, in its
 * own process group (killed as a group afterwards, also on error), timed from spawn until it is restore-ready.
 *
 * Restore-ready means: the server printed its address, answered an API call (modelInfo), opened a bundled sample,
 * accepted a restoration of it, and that restoration reported `restore.started` on the event socket. The engine
 * sends that event once the tokenizer and the language model are loaded and the run is recorded, just before the
 * first prompt goes to the model: from there on the user is waiting on prediction, not on start-up.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TIMEOUT_MS = 300_000;

export interface ColdStartResult {
  /** Spawn to restore-ready. */
  readonly seconds: number;
  /** Spawn to the printed address. */
  readonly listening_seconds: number;
  /** Spawn to the first API answer. */
  readonly api_seconds: number;
}

export async function measureColdStart(): Promise<ColdStartResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-bench-cold-'));
  const started = performance.now();
  const since = () => (performance.now() - started) / 1000;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('src-main', 'server', 'main.ts')], {
    cwd: root,
    env: { ...process.env, V2L_DATA_DIR: dataDir, V2L_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killGroup = () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  // The server is detached (its own group): if the bench itself is stopped meanwhile, stop the server too.
  const onSignal = (signal: NodeJS.Signals) => {
    killGroup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let socket: WebSocket | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = (async () => {
      const launch = await new Promise<URL>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /(http:\/\/127\.0\.0\.1:\d+\/?\?token=[\w-]+)/.exec(output);
          if (match?.[1]) resolve(new URL(match[1]));
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.once('exit', (code) => reject(new Error(`the server exited (${code}) before it listened`)));
      });
      const listening = since();
      const token = launch.searchParams.get('token') ?? '';
      const base = `http://${launch.host}`;
      const call = async (method: string, input?: unknown): Promise<unknown> => {
        const response = await fetch(`${base}/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-v2l-token': token },
          body: input === undefined ? '' : JSON.stringify(input),
        });
        const envelope = (await response.json()) as
          { ok: true; value: unknown } | { ok: false; error: { message: string } };
        if (!envelope.ok) throw new Error(`${method} failed: ${envelope.error.message}`);
        return envelope.value;
      };
      await call('modelInfo');
      const api = since();
      socket = new WebSocket(`ws://${launch.host}/events`, { headers: { 'x-v2l-token': token } });
      const events: { type: string; jobId?: string }[] = [];
      let notify: (() => void) | undefined;
      socket.on('message', (data: Buffer) => {
        events.push(JSON.parse(data.toString()) as { type: string; jobId?: string });
        notify?.();
      });
      await new Promise<void>((resolve, reject) => {
        socket?.once('open', () => resolve());
        socket?.once('error', reject);
      });
      const opened = (await call('openSample', { id: 'astronaut' })) as { imageId: number };
      const { jobId } = (await call('startRestore', {
        imageId: opened.imageId,
        task: 'inpaint',
        protocol: 'reference',
      })) as { jobId: string };
      for (;;) {
        const mine = events.filter((e) => e.jobId === jobId);
        if (mine.some((e) => e.type === 'restore.started')) break;
        const failed = mine.find((e) => e.type === 'job.failed');
        if (failed) throw new Error(`the first restoration failed: ${JSON.stringify(failed)}`);
        await new Promise<void>((resolve) => (notify = resolve));
      }
      return { seconds: since(), listening_seconds: listening, api_seconds: api };
    })();
    // Whichever loses the race must not end as an unhandled rejection.
    work.catch(() => undefined);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the server was not restore-ready in time')), TIMEOUT_MS);
    });
    return await Promise.race([work, timeout]);
  } catch (error) {
    throw new Error(
      `cold start: ${error instanceof Error ? error.message : String(error)}\n${output.slice(-2000)}`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
    socket?.terminate();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      killGroup();
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
