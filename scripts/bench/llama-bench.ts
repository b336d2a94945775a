/**
 * The yardstick outside the process: llama.cpp's own llama-bench on the same GGUF, the same prompt length and the
 * same thread count, built from the llama.cpp source node-llama-cpp ships (scripts/llama-cpp.ts, cached outside
 * the repository). Its prompt test evaluates one prompt of that length from an empty cache, `repetitions` times.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolPath } from '../llama-cpp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * llama-bench's path, built first when missing. The build runs as a child whose output goes to stderr, so that
 * stdout keeps only the bench's own result.
 */
export function llamaBenchBinary(): string {
  const binary = toolPath('llama-bench');
  if (!fs.existsSync(binary)) {
    const build = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'scripts', 'llama-cpp.ts'), 'llama-bench'],
      { cwd: root, stdio: ['ignore', 2, 2] },
    );
    if (build.status !== 0 || !fs.existsSync(binary)) throw new Error('llama-bench could not be built');
  }
  return binary;
}

export interface LlamaBenchResult {
  readonly prompt_tokens_per_s: number;
  readonly prompt_length: number;
  readonly threads: number;
}

export function runLlamaBench(
  model: string,
  promptLength: number,
  threads: number,
  repetitions: number,
): Promise<LlamaBenchResult> {
  const binary = llamaBenchBinary();
  const args = ['-m', model, '-p', String(promptLength), '-n', '0', '-t', String(threads)];
  args.push('-r', String(repetitions), '-o', 'json');
  return new Promise((resolve, reject) => {
    execFile(binary, args, { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`llama-bench failed: ${error.message}\n${stderr.slice(-2000)}`));
        return;
      }
      try {
        const rows = JSON.parse(stdout) as { avg_ts?: unknown; n_prompt?: unknown; n_threads?: unknown }[];
        const row = rows.find((r) => r.n_prompt === promptLength);
        if (!row || typeof row.avg_ts !== 'number') throw new Error('no prompt test in its output');
        resolve({
          prompt_tokens_per_s: row.avg_ts,
          prompt_length: promptLength,
          threads: typeof row.n_threads === 'number' ? row.n_threads : threads,
        });
      } catch (cause) {
        reject(new Error(`llama-bench's output could not be read: ${String(cause)}`));
      }
    });
  });
}
