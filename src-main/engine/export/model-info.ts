import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelInfo } from '../../../src-shared/contract/export';
import { readFigures } from '../llm/measured';
import { defaultLmPath } from '../llm/models';
import { MANIFEST_FILE } from '../tokenizer/manifest';
import { chosenPackDir } from '../tokenizer/packs';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The tokenizer pack and language model a restoration would load now, found the same way the job finds them:
 * the chosen pack and GGUF (settings' tokenizerPack and lmFile) when there are, else the defaults.
 */
export async function modelInfo(lmFile = '', tokenizerPack = ''): Promise<ModelInfo> {
  let tokenizer: ModelInfo['tokenizer'] = null;
  let tokenizerError: string | null = null;
  try {
    const folder = await chosenPackDir(tokenizerPack);
    const manifest = JSON.parse(await readFile(path.join(folder, MANIFEST_FILE), 'utf8')) as {
      name?: unknown;
    };
    tokenizer = { name: typeof manifest.name === 'string' ? manifest.name : path.basename(folder), folder };
  } catch (error) {
    tokenizerError = messageOf(error);
  }
  let lm: ModelInfo['lm'] = null;
  let lmError: string | null = null;
  try {
    const file = lmFile || defaultLmPath();
    const { size } = await stat(file);
    const figures = readFigures(file);
    lm = {
      name: path.basename(file),
      file,
      bytes: size,
      measured: figures && {
        valLoss: figures.valLoss,
        copyNoisy10: figures.copyNoisy10,
        copyClean10: figures.copyClean10,
        repeatCopy: figures.repeatCopy,
        measuredOn: figures.measuredOn,
      },
    };
  } catch (error) {
    lmError = messageOf(error);
  }
  return { tokenizer, tokenizerError, lm, lmError };
}
