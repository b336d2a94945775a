import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../errors';
import { defaultResourcesDir } from '../paths';

/**
 * The GGUF the studio uses when none is chosen: V2L_LM (a path) if set, otherwise the single .gguf shipped under
 * resources/models/<folder>/.
 */
export function defaultLmPath(env: NodeJS.ProcessEnv = process.env): string {
  const named = env['V2L_LM'];
  if (named) return path.resolve(named);
  const root = path.join(defaultResourcesDir(env), 'models');
  const found: string[] = [];
  for (const entry of fs.existsSync(root) ? fs.readdirSync(root, { withFileTypes: true }) : []) {
    if (!entry.isDirectory()) continue;
    for (const file of fs.readdirSync(path.join(root, entry.name))) {
      if (file.endsWith('.gguf')) found.push(path.join(root, entry.name, file));
    }
  }
  if (found.length === 0) {
    throw new StudioError(
      'NOT_FOUND',
      `No language model is installed under ${root}: reinstall the studio, or set V2L_LM to a LLaMA-2-vocabulary GGUF.`,
    );
  }
  if (found.length > 1) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `Several GGUF files under ${root}; set V2L_LM to the one to use.`,
    );
  }
  return found[0] ?? '';
}
