import fs from 'node:fs';
import path from 'node:path';
import type { CaseGroup, HostileCase, HostileContext } from '../case';
import { expect } from '../http';
import { killGroup, spawnServer, startServer, type SpawnOptions } from '../server';

/** Starts a server that must refuse to start; returns what it printed. It is killed whatever happens. */
async function failedStart(options: SpawnOptions): Promise<string> {
  const { child, output } = spawnServer(options);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`it did not exit: ${output()}`)), 60_000);
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code === 1, `exit code ${code}: ${output()}`);
    return output();
  } finally {
    await killGroup(child);
  }
}

function oneLine(output: string): void {
  const lines = output.trim().split('\n');
  expect(lines.length === 1, `${lines.length} lines:\n${output}`);
  expect(/^V2L Studio cannot start: .+/.test(lines[0] ?? ''), `unexpected: ${output}`);
  expect(!/\n\s+at /.test(output), 'a stack trace');
}

function readOnlyFolder(ctx: HostileContext): { dir: string; options: SpawnOptions } {
  const dir = path.join(ctx.tmp, 'read-only-data');
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o555);
  // Root writes anywhere: the server then runs as nobody, for whom the folder is read-only.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    fs.chmodSync(ctx.tmp, 0o755);
    fs.mkdirSync(path.join(ctx.tmp, 'home'), { recursive: true, mode: 0o777 });
  }
  return {
    dir,
    options: {
      dataDir: dir,
      ...(asRoot ? { uid: 65534, gid: 65534, env: { HOME: path.join(ctx.tmp, 'home') } } : {}),
    },
  };
}

export const startupGroup: CaseGroup = {
  name: 'start-up',
  cases: (): HostileCase[] => [
    {
      name: 'a read-only data folder gives a one-line error',
      timeoutMs: 90_000,
      run: async (ctx) => {
        const { options } = readOnlyFolder(ctx);
        const output = await failedStart(options);
        oneLine(output);
        expect(/cannot be written/.test(output), output);
      },
    },
    {
      name: 'a data folder that is a file gives a one-line error',
      timeoutMs: 90_000,
      run: async (ctx) => {
        const file = path.join(ctx.tmp, 'not-a-folder');
        fs.writeFileSync(file, 'x');
        oneLine(await failedStart({ dataDir: path.join(file, 'data') }));
      },
    },
    {
      name: 'a port in use gives a one-line error',
      timeoutMs: 90_000,
      run: async (ctx) => {
        oneLine(await failedStart({ env: { V2L_PORT: String(ctx.server.port) } }));
      },
    },
    {
      name: 'partial run folders and stale temporary files are removed at start',
      timeoutMs: 90_000,
      run: async (ctx) => {
        const dataDir = path.join(ctx.tmp, 'leftovers');
        const stale = new Date(Date.now() - 2 * 3600_000);
        const write = (relative: string, old: boolean) => {
          const file = path.join(dataDir, relative);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, 'partial');
          if (old) fs.utimesSync(file, stale, stale);
          return file;
        };
        const partialRun = write('runs/77/result.png', true);
        const oldExport = write('exports/.astronaut-run-3.png.0123456789ab.tmp', true);
        const oldImport = write('imports/abc.png.4242.tmp', true);
        const freshExport = write('exports/.fresh.png.0123456789ab.tmp', false);
        const kept = write('exports/astronaut-run-3.png', true);
        const server = await startServer({ dataDir });
        try {
          expect(!fs.existsSync(path.dirname(partialRun)), 'the partial run folder is still there');
          expect(
            !fs.existsSync(oldExport) && !fs.existsSync(oldImport),
            'a stale temporary file is still there',
          );
          expect(fs.existsSync(freshExport), 'a fresh temporary file (maybe another process) was removed');
          expect(fs.existsSync(kept), 'a finished export was removed');
        } finally {
          await server.stop();
        }
      },
    },
  ],
};
