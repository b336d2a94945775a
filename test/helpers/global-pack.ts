import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A tokenizer pack with a global branch, for tests: random weights in the released layout at the converter's
 * narrow "ci" widths, written by training/convert (make_random_checkpoint.py, then convert.py). Its outputs are
 * noise, but every graph, codebook and the 11,908-entry global vocabulary are real files the runtime loads.
 *
 * Conversion takes a minute or two on a small CPU, so the pack is kept under test-output/ and rebuilt only when
 * the converter's sources change. Needs Debian's python3-torch, python3-onnx and python3-numpy.
 */
const CONVERT_DIR = path.resolve('training', 'convert');
const SOURCES = ['convert.py', 'v2l_modules.py', 'make_random_checkpoint.py'];
const python = process.env['V2L_PYTHON'] ?? '/usr/bin/python3';

/** Why a global-branch pack cannot be made here, or null when it can. */
export function globalPackUnavailable(): string | null {
  if (!SOURCES.every((f) => fs.existsSync(path.join(CONVERT_DIR, f)))) {
    return `training/convert (${SOURCES.join(', ')}) is missing`;
  }
  const probe = spawnSync(python, ['-c', 'import torch, onnx, numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return `${python} cannot import torch, onnx and numpy (apt-get install python3-torch python3-onnx python3-numpy)`;
  }
  return null;
}

function sourcesHash(): string {
  const hash = createHash('sha256');
  for (const f of SOURCES) hash.update(fs.readFileSync(path.join(CONVERT_DIR, f)));
  return hash.digest('hex').slice(0, 12);
}

function run(args: readonly string[]): void {
  const result = spawnSync(python, args, {
    cwd: CONVERT_DIR,
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '2' },
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${path.basename(args[0] ?? '')} failed (${result.error?.message ?? `exit ${result.status}`}):\n` +
        `${result.stdout}\n${result.stderr}`,
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The folder of a random-weight global-branch pack, building it first when needed. */
export async function ensureGlobalPack(): Promise<string> {
  // The README's test command installs these; without them the tests fail, naming what to install.
  const unavailable = globalPackUnavailable();
  if (unavailable) throw new Error(`Cannot build a global-branch test pack: ${unavailable}.`);
  const root = path.resolve('test-output', 'global-pack', sourcesHash());
  const pack = path.join(root, 'pack');
  const lock = `${root}.lock`;
  fs.mkdirSync(path.dirname(root), { recursive: true });
  for (;;) {
    if (fs.existsSync(path.join(pack, 'manifest.json'))) return pack;
    try {
      // One builder at a time: test files run in parallel workers.
      fs.mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 15 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      await sleep(2000);
    }
  }
  try {
    if (fs.existsSync(path.join(pack, 'manifest.json'))) return pack;
    const work = `${root}.build-${process.pid}`;
    fs.rmSync(work, { recursive: true, force: true });
    const checkpoint = path.join(work, 'checkpoint');
    run([path.join(CONVERT_DIR, 'make_random_checkpoint.py'), checkpoint, '--config', 'ci', '--seed', '7']);
    run([
      path.join(CONVERT_DIR, 'convert.py'),
      '--checkpoint',
      path.join(checkpoint, 'v2l-decode.pth'),
      '--global-vocabulary',
      path.join(checkpoint, 'global_vocabulary.npy'),
      '--out',
      path.join(work, 'pack'),
      '--name',
      'v2l-random-global',
    ]);
    fs.rmSync(checkpoint, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
    fs.renameSync(work, root);
    // Packs made by older converter sources are never used again.
    const parent = path.dirname(root);
    for (const entry of fs.readdirSync(parent)) {
      if (/^[0-9a-f]{12}$/.test(entry) && entry !== path.basename(root)) {
        fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
      }
    }
    return pack;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
