/**
 * The bench's quick form, end to end as CI runs it (`npm run -s bench -- --quick --json`, one image, the small
 * random-weight model): it must run and report every required key with a finite value. Its timings are the bench's
 * business, not this test's: no thresholds here.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODEL_NUMBER_KEYS, REQUIRED_NUMBER_KEYS } from '../../scripts/bench/keys';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function runQuickBench(): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join('scripts', 'bench', 'main.ts'), '--quick', '--json'],
      // Long enough for a first build of llama.cpp's tools, which another test may have started (it holds the lock).
      { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 2_400_000, killSignal: 'SIGTERM' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`the quick bench failed: ${error.message}\n${stderr.slice(-4000)}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

describe('npm run bench -- --quick --json', () => {
  it('prints one JSON line with every required key, finite, for the bundled and the random-weight model', async () => {
    const { stdout } = await runQuickBench();
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] ?? '') as Record<string, unknown>;

    for (const key of REQUIRED_NUMBER_KEYS) {
      expect(typeof result[key], key).toBe('number');
      expect(Number.isFinite(result[key]), key).toBe(true);
    }
    expect(typeof result['identical_predictions']).toBe('boolean');
    expect(result['images']).toBe(1);
    expect(result['quick']).toBe(true);

    const models = result['models'] as Record<string, unknown>[];
    expect(models).toHaveLength(2);
    expect(models.map((m) => m['name'])).toContain('bundled');
    for (const model of models) {
      for (const key of MODEL_NUMBER_KEYS) {
        expect(typeof model[key], `${String(model['name'])}.${key}`).toBe('number');
        expect(Number.isFinite(model[key]), `${String(model['name'])}.${key}`).toBe(true);
      }
      expect(typeof model['identical_predictions']).toBe('boolean');
      expect(model['prompt_tokens']).toBeGreaterThan(0);
    }
    // The random-weight model is a real network: LLaMA-2's vocabulary and its layers.
    expect(models.find((m) => m['name'] !== 'bundled')?.['params']).toBeGreaterThan(1_000_000);
  }, 2_500_000);
});
