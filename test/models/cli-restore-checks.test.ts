import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { studioModels } from '../../src-main/cli/studio-models';
import { writeSettings } from '../../src-main/engine/store/settings';
import { openDatabase } from '../../src-main/engine/store/store';

/** The CLI as a user runs it, in a child process: node with tsx, as `npm run v2l` does. */
function v2l(...args: string[]) {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 150_000,
  });
  return { ...run, seconds: (performance.now() - started) / 1000 };
}

describe('v2l restore checks its output before loading models', () => {
  const photo = 'resources/samples/chelsea.png';

  it('refuses an --out in a missing folder, in one line', () => {
    const run = v2l(
      'restore',
      photo,
      '--task',
      'deblur',
      '--protocol',
      'reference',
      '--out',
      '/no/such/dir/x.png',
    );
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'v2l restore: INVALID_ARGUMENT: --out: the folder /no/such/dir does not exist; create it first.',
    ]);
    expect(run.stdout).toBe('');
  });

  it('refuses to replace a file without --overwrite', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-cli-'));
    try {
      const out = path.join(dir, 'x.png');
      fs.writeFileSync(out, 'keep me');
      const run = v2l('restore', photo, '--task', 'rotate', '--protocol', 'reference', '--out', out);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('exists; add --overwrite to replace it');
      expect(fs.readFileSync(out, 'utf8')).toBe('keep me');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('eval restore --full-resolution refuses the tasks that have no whole-photo form, before loading models', () => {
    const run = v2l('eval', 'restore', '--task', 'inpaint', '--protocol', 'reference', '--full-resolution');
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      'v2l eval: INVALID_ARGUMENT: --full-resolution applies to deblur, shift and rotate, not inpaint.',
    );
  });
});

describe('v2l restore uses the models chosen in Settings', () => {
  it('loads the language model the data folder’s Settings name, not the bundled one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-cli-settings-'));
    try {
      const db = openDatabase(dir);
      const chosen = path.join(dir, 'chosen-model.gguf');
      writeSettings(db, { lmFile: chosen });
      db.close();
      const run = v2l(
        'restore',
        'resources/samples/chelsea.png',
        '--task',
        'rotate',
        '--protocol',
        'reference',
        '--view',
        '--data-dir',
        dir,
      );
      expect(run.status).toBe(1);
      // The chosen file does not exist: the failure names it, so the CLI read it from Settings.
      expect(run.stderr).toContain(chosen);
      expect(run.stdout).toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to the bundled models where the studio never ran, without creating a store', () => {
    const dir = path.join(os.tmpdir(), `v2l-cli-nostore-${process.pid}`);
    const studio = studioModels(dir);
    expect(studio.source).toBe('defaults');
    expect(studio.settings.lmFile).toBe('');
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('v2l restore DIR', () => {
  // Two restorations in a child process: ~10 s here, more while the machine builds llama.cpp beside it.
  it(
    'restores every photo of a folder, goes on past a broken one, and reports it',
    { timeout: 180_000 },
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-cli-batch-'));
      try {
        const input = path.join(dir, 'in');
        const out = path.join(dir, 'out');
        fs.mkdirSync(path.join(input, 'sub'), { recursive: true });
        fs.mkdirSync(out);
        fs.copyFileSync('resources/samples/chelsea.png', path.join(input, 'chelsea.png'));
        fs.copyFileSync('resources/samples/coffee.png', path.join(input, 'sub', 'coffee.png'));
        fs.writeFileSync(path.join(input, 'broken.jpg'), 'not an image');
        const run = v2l(
          'restore',
          input,
          '--task',
          'rotate',
          '--protocol',
          'reference',
          '--view',
          '--out',
          out,
          '--json',
        );
        expect(run.status).toBe(1);
        const rows = run.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(rows.map((r) => r['image'])).toEqual([
          'broken.jpg',
          'chelsea.png',
          path.join('sub', 'coffee.png'),
        ]);
        expect(rows[0]?.['error']).toMatch(/^IMAGE_/);
        expect(rows.slice(1).map((r) => r['out'])).toEqual([
          path.join(out, 'chelsea.png'),
          path.join(out, 'sub', 'coffee.png'),
        ]);
        expect(fs.existsSync(path.join(out, 'sub', 'coffee.png'))).toBe(true);
        expect(run.stderr).toContain('1 of 3 photos could not be restored');
        // Each restored row keeps the estimate made before it beside the time the language model took.
        for (const row of rows.slice(1)) {
          expect(row['estimated_llm_seconds']).toBeGreaterThan(0);
          expect(row['llm_seconds']).toBeGreaterThan(0);
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('refuses outputs that exist, before loading models', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-cli-batch-'));
    try {
      fs.mkdirSync(path.join(dir, 'in'));
      fs.mkdirSync(path.join(dir, 'out'));
      fs.copyFileSync('resources/samples/chelsea.png', path.join(dir, 'in', 'chelsea.png'));
      fs.writeFileSync(path.join(dir, 'out', 'chelsea.png'), 'keep me');
      const run = v2l(
        'restore',
        path.join(dir, 'in'),
        '--task',
        'rotate',
        '--protocol',
        'blind',
        '--out',
        path.join(dir, 'out'),
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('OUTPUT_EXISTS: 1 result already in');
      expect(run.stderr).not.toContain('Language model:');
      expect(fs.readFileSync(path.join(dir, 'out', 'chelsea.png'), 'utf8')).toBe('keep me');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
