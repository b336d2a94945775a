/**
 * llama.cpp's own tools (llama-bench, llama-server, ggml-rpc-server), built from the exact source node-llama-cpp was
 * built from: it ships that source as a git bundle, so this works offline. Built once into a cache outside the
 * repository (~16 min for two targets on 2 cores) and reused afterwards.
 *
 *   npx tsx scripts/llama-cpp.ts llama-bench llama-server     # builds what is missing, prints each binary's path
 *
 * Cache: $V2L_LLAMA_CPP_CACHE, or ~/.cache/v2l-studio/llama.cpp-<tag>. A build that stops half-way is resumed by
 * the next call (cmake only rebuilds what is missing).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive } from './process-alive';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const llamaDir = path.join(root, 'node_modules', 'node-llama-cpp', 'llama');

function sourceTag(): string {
  const info = JSON.parse(fs.readFileSync(path.join(llamaDir, 'llama.cpp.info.json'), 'utf8')) as {
    tag?: unknown;
  };
  return String(info.tag);
}

export function cacheDir(): string {
  return (
    process.env['V2L_LLAMA_CPP_CACHE'] ??
    path.join(os.homedir(), '.cache', 'v2l-studio', `llama.cpp-${sourceTag()}`)
  );
}

export function toolPath(name: string): string {
  return path.join(cacheDir(), 'build', 'bin', name);
}

function run(command: string, args: string[], cwd: string): void {
  execFileSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** The tools the studio's tests and bench use: whoever builds first builds both, so later callers find them. */
const USED = ['llama-server', 'llama-bench'];

/**
 * Runs `work` holding the cache's lock: two test files (or a test and the bench) must not build into the same folder
 * at once. A lock whose owner has died is taken over.
 */
function withLock<T>(work: () => T, log: (message: string) => void): T {
  const lock = `${cacheDir()}.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let owner: number;
      try {
        owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {
        // Released since mkdir failed, or its owner died before writing its pid: take it over once it is stale.
        const since = fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
        if (since !== undefined && Date.now() - since > 30_000)
          fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (owner > 0 && Number.isInteger(owner) && !alive(owner)) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!told) log(`llama.cpp: waiting for another build (process ${owner}) to finish`);
      told = true;
      Atomics.wait(sleeper, 0, 0, 1000);
    }
  }
  try {
    return work();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Path of each named tool, building the missing ones first. */
export function ensureTools(
  names: readonly string[],
  log: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
): string[] {
  if (names.every((name) => fs.existsSync(toolPath(name)))) return names.map(toolPath);
  withLock(() => build(names, log), log);
  return names.map(toolPath);
}

function build(names: readonly string[], log: (message: string) => void): void {
  const missing = [...new Set([...names, ...USED])].filter((name) => !fs.existsSync(toolPath(name)));
  if (missing.length > 0) {
    const dir = cacheDir();
    const src = path.join(dir, 'src');
    if (!fs.existsSync(path.join(src, 'CMakeLists.txt'))) {
      const bundle = path.join(llamaDir, 'gitRelease.bundle');
      if (!fs.existsSync(bundle)) {
        throw new Error(`llama.cpp's source bundle is missing (${bundle}): run npm ci first.`);
      }
      fs.rmSync(src, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      log(`llama.cpp: cloning ${sourceTag()} from node-llama-cpp's bundle into ${src}`);
      run('git', ['clone', '--quiet', bundle, src], dir);
    }
    const build = path.join(dir, 'build');
    if (!fs.existsSync(path.join(build, 'CMakeCache.txt'))) {
      log('llama.cpp: configuring (CPU build)');
      run(
        'cmake',
        [
          '-S',
          src,
          '-B',
          build,
          '-DCMAKE_BUILD_TYPE=Release',
          '-DLLAMA_CURL=OFF',
          '-DLLAMA_BUILD_TESTS=OFF',
          '-DGGML_RPC=ON',
        ],
        dir,
      );
    }
    log(`llama.cpp: building ${missing.join(', ')} (one-time, several minutes)`);
    run(
      'cmake',
      [
        '--build',
        build,
        '--config',
        'Release',
        '-j',
        String(os.availableParallelism()),
        '--target',
        ...missing,
      ],
      dir,
    );
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  if (names.length === 0) {
    console.error(
      'Usage: npx tsx scripts/llama-cpp.ts TOOL... (e.g. llama-bench llama-server ggml-rpc-server)',
    );
    process.exit(2);
  }
  for (const p of ensureTools(names)) console.log(p);
}
