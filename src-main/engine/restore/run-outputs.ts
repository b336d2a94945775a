import fs from 'node:fs';
import path from 'node:path';
import { writeImageFile } from '../image/encode';
import type { RgbImage } from '../image/types';

/**
 * A run's folder (runs/<id> in the data folder): each image saved as <kind>.png and the details as run.json, each
 * path kept under its kind for the run's row.
 */
export function runOutputs(dataDir: string, runId: number) {
  const dir = path.join(dataDir, 'runs', String(runId));
  fs.mkdirSync(dir, { recursive: true });
  const outputs: Record<string, string> = {};
  const save = async (kind: string, image: RgbImage): Promise<void> => {
    const file = path.join(dir, `${kind}.png`);
    await writeImageFile(file, image, { format: 'png' }, { overwrite: true });
    outputs[kind] = file;
  };
  /** The run's details (run.json), which the store's columns do not hold. */
  const saveDetails = (details: object): void => {
    const file = path.join(dir, 'run.json');
    fs.writeFileSync(file, JSON.stringify(details));
    outputs['details'] = file;
  };
  return { outputs, save, saveDetails };
}

export type PredictedCells = { cell: number; id: number; confidence: number }[];

/** A prediction's words as cells: `start` is the first one's cell (0..255), each with its probability. */
export function predictedCells(
  start: number,
  ids: readonly number[],
  probabilities: readonly number[],
): PredictedCells {
  return ids.map((id, i) => ({ cell: start + i, id, confidence: probabilities[i] ?? 0 }));
}
