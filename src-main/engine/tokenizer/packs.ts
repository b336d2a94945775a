import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { StudioError } from '../errors';
import { defaultResourcesDir } from '../paths';
import { MANIFEST_FILE, PACK_FORMAT } from './manifest';

/** Where installed packs live: one folder per pack under resources/models. */
export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(defaultResourcesDir(env), 'models');
}

async function declaresPackFormat(dir: string): Promise<boolean> {
  try {
    const json: unknown = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8'));
    return typeof json === 'object' && json !== null && (json as { format?: unknown }).format === PACK_FORMAT;
  } catch {
    return false;
  }
}

/** The folders under `models` whose manifest.json declares format "v2l-pack", sorted by name. */
export async function listInstalledPacks(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const root = modelsDir(env);
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const dirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => path.join(root, e.name))
    .sort();
  const found: string[] = [];
  for (const dir of dirs) if (await declaresPackFormat(dir)) found.push(dir);
  return found;
}

/**
 * The pack Settings chose (`tokenizerPack`, a folder under resources/models), else the default one. A chosen pack
 * that is no longer installed is reported, not silently replaced.
 */
export async function chosenPackDir(
  tokenizerPack: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (!tokenizerPack) return defaultPackDir(env);
  const installed = await listInstalledPacks(env);
  const dir = installed.find((d) => path.basename(d) === tokenizerPack);
  if (!dir) {
    throw new StudioError(
      'NOT_FOUND',
      `The tokenizer pack "${tokenizerPack}" chosen in Settings is not installed under ${modelsDir(env)} ` +
        `(installed: ${installed.map((d) => path.basename(d)).join(', ') || 'none'}): choose another in Settings.`,
    );
  }
  return dir;
}

/**
 * The pack the studio uses when none is named: V2L_PACK (a folder name under resources/models, or a path) if
 * set, otherwise the single installed pack. Only the manifest's format is looked at here; `loadPack` checks
 * the rest. Fails with NOT_FOUND when nothing is installed and INVALID_ARGUMENT when the choice is ambiguous.
 */
export async function defaultPackDir(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const root = modelsDir(env);
  const named = env['V2L_PACK'];
  if (named) {
    const dir = path.isAbsolute(named) || /[\\/]/.test(named) ? path.resolve(named) : path.join(root, named);
    if (!(await declaresPackFormat(dir))) {
      throw new StudioError(
        'NOT_FOUND',
        `V2L_PACK names ${dir}, which holds no model pack (no ${MANIFEST_FILE} with format "${PACK_FORMAT}"). ` +
          `Set V2L_PACK to a folder under ${root} or unset it.`,
      );
    }
    return dir;
  }
  const packs = await listInstalledPacks(env);
  if (packs.length === 1 && packs[0] !== undefined) return packs[0];
  if (packs.length === 0) {
    throw new StudioError(
      'NOT_FOUND',
      `No tokenizer model pack is installed: ${root} holds no folder with a ${MANIFEST_FILE} of format ` +
        `"${PACK_FORMAT}". Export one with training/tokenizer/export_onnx.py into ${path.join(root, '<name>')}, ` +
        'or pass --pack DIR.',
    );
  }
  throw new StudioError(
    'INVALID_ARGUMENT',
    `${packs.length} model packs are installed in ${root} (${packs.map((p) => path.basename(p)).join(', ')}): ` +
      'set V2L_PACK to the folder name of the one to use, or pass --pack DIR.',
  );
}
