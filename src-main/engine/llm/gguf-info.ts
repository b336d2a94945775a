import fs from 'node:fs';
import path from 'node:path';
import type { LmFileInfo } from '../../../src-preload/contract/models';
import { isStudioError, StudioError } from '../errors';
import { assertLlama2Vocabulary } from './frozen-lm';
import { readGgufSummary } from './runtime';

export interface GgufInspection {
  readonly info: LmFileInfo;
  readonly vocabularyOk: boolean;
  /** Why the model cannot restore images (its vocabulary), with the fix; null when it can. */
  readonly problem: string | null;
}

/**
 * What a GGUF is (name, architecture, quantisation, context, parameters) and whether its token table is LLaMA-2's,
 * from the header alone. A file that is missing or not a GGUF throws; a readable GGUF with another vocabulary is
 * described, with the refusal in `problem`, so a list can show what the file is and why it cannot be used.
 */
export async function inspectGguf(file: string): Promise<GgufInspection> {
  if (!fs.existsSync(file)) {
    throw new StudioError('FILE_NOT_FOUND', `${file} does not exist: pick a GGUF file that exists.`);
  }
  if (!fs.statSync(file).isFile()) {
    throw new StudioError('INVALID_ARGUMENT', `${file} is a folder, not a GGUF file.`);
  }
  const summary = await readGgufSummary(file).catch((error: unknown) => {
    throw new StudioError(
      'MODEL_INVALID',
      `${path.basename(file)} is not a readable GGUF file (${error instanceof Error ? error.message : String(error)}). ` +
        'Pick a .gguf language model file.',
      { cause: error },
    );
  });
  const types = [...summary.tensorTypes].sort((a, b) => b[1].parameters - a[1].parameters);
  const info: LmFileInfo = {
    name: summary.name ?? path.basename(file),
    architecture: summary.architecture,
    quantisation: summary.fileTypeName ?? types[0]?.[0] ?? 'unknown',
    tensorTypes: types.map(([type, { tensors }]) => [type, tensors] as const),
    contextLength: summary.contextLength ?? null,
    parameters: summary.parameters > 0 ? summary.parameters : null,
    vocabularySize: summary.tokens?.length ?? 0,
  };
  try {
    assertLlama2Vocabulary(file, summary.tokens);
    return { info, vocabularyOk: true, problem: null };
  } catch (error) {
    if (isStudioError(error)) return { info, vocabularyOk: false, problem: error.message };
    throw error;
  }
}

/** inspectGguf, refusing (MODEL_INVALID, with the cause and the fix) a model restorations cannot use. */
export async function requireLlama2Gguf(file: string): Promise<GgufInspection> {
  const inspection = await inspectGguf(file);
  if (inspection.problem !== null) throw new StudioError('MODEL_INVALID', inspection.problem);
  return inspection;
}
