import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { ensureTools } from '../../scripts/llama-cpp';

export interface LlamaServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (llama-server needs an explicit one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Builds llama.cpp's llama-server once (into the cache outside the repo) and returns its path. */
export function llamaServerBinary(): string {
  const [binary] = ensureTools(['llama-server']);
  if (!binary) throw new Error('llama-server could not be built');
  return binary;
}

/**
 * Starts the real llama-server on 127.0.0.1 with `model`, in its own process group, and waits until /health says
 * the model is loaded. stop() ends the group, also when the caller's test failed.
 */
export async function startLlamaServer(model: string, extraArgs: string[] = []): Promise<LlamaServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    llamaServerBinary(),
    [
      '-m',
      model,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '-np',
      '2',
      '-c',
      '4096',
      '--no-webui',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const health = await fetch(`${url}/health`);
      if (health.ok) return { url, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`llama-server did not become ready:\n${output.slice(-2000)}`);
}
