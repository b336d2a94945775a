import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly dataDir: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Kills the whole process group and waits for the exit. Safe to call twice. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  readonly dataDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Run as this user (a read-only folder is writable to root). */
  readonly uid?: number;
  readonly gid?: number;
}

/** Every process group started here, so an interrupted run still kills them (see killAll). */
const started = new Set<ChildProcess>();

/** Spawns src-main/server/main.ts (what `npm run serve` runs) in a process group of its own. */
export function spawnServer(options: SpawnOptions = {}): {
  child: ChildProcess;
  dataDir: string;
  output: () => string;
} {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-hostile-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/server/main.ts'], {
    env: { ...process.env, V2L_DATA_DIR: dataDir, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, dataDir, output: () => output };
}

export async function startServer(options: SpawnOptions = {}): Promise<ServerProcess> {
  const { child, dataDir, output } = spawnServer(options);
  const stop = async () => {
    await killGroup(child);
    if (options.dataDir === undefined) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const launch = await waitFor(
      () => /(http:\/\/127\.0\.0\.1:(\d+)\/)\?token=([\w-]+)/.exec(output()),
      child,
      90_000,
      output,
    );
    return {
      child,
      url: launch[1] ?? '',
      port: Number(launch[2]),
      token: launch[3] ?? '',
      dataDir,
      output,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resolves with `probe`'s first truthy value; rejects when the process exits first or after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | null | undefined | false,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    if (Date.now() > deadline)
      throw new Error(`the server did not start in ${timeoutMs / 1000} s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid ?? 0), name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  // Whatever the server started in its group goes too.
  signal('SIGKILL');
}

/** Kills every server this process started, synchronously: for exit and signal handlers. */
export function killAll(): void {
  for (const child of started) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
