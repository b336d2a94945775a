import path from 'node:path';
import type { LmFileInfo } from '../../../src-shared/contract/models';
import { isStudioError, StudioError } from '../errors';
import { assertLlama2Vocabulary } from './frozen-lm';
import { readCheckedGguf } from './gguf-file';

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
  const summary = await readCheckedGguf(file);
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
