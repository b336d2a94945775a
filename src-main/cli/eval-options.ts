import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../engine/errors';
import { defaultResourcesDir } from '../engine/paths';
import type { ProtocolName, Task } from '../engine/protocol/types';
import { SampleLibrary } from '../engine/samples';
import { listImageFiles } from './image-files';
import { isProtocol, isTask, PROTOCOL_IDS, TASK_IDS } from '../../src-shared/tasks/registry';

/**
 * The options every evaluation of a task over a set of images reads (eval restore, eval naive), as `parseArgs`
 * takes them: --task T, --protocol P, --data DIR, --limit N and --json. A command adds its own beside them.
 */
export const EVAL_SET_OPTIONS = {
  task: { type: 'string' },
  protocol: { type: 'string' },
  data: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function parseTask(value: string | undefined): Task {
  if (!isTask(value)) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `--task must be one of ${TASK_IDS.join(', ')}, not "${String(value)}".`,
    );
  }
  return value;
}

export function parseProtocol(value: string | undefined): ProtocolName {
  if (!isProtocol(value)) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `--protocol must be ${PROTOCOL_IDS.join(' or ')}, not "${String(value)}".`,
    );
  }
  return value;
}

/** The ImageNet dev set beside the checkout (../shared/data/eval/imagenet-val-dev/images), where README reads it. */
export function defaultEvalData(): string {
  return path.resolve(
    defaultResourcesDir(),
    '..',
    '..',
    'shared',
    'data',
    'eval',
    'imagenet-val-dev',
    'images',
  );
}

/**
 * The first `limit` images of DIR (the dev set when no DIR is given), sorted by path; an empty or missing folder
 * is an error naming it.
 */
export async function evalFiles(dir: string | undefined, limit: string | undefined): Promise<string[]> {
  const folder = dir ?? defaultEvalData();
  if (!dir && !fs.existsSync(folder)) {
    throw new StudioError('INVALID_ARGUMENT', `Give the images with --data DIR (${folder} does not exist).`);
  }
  const files = (await listImageFiles(folder)).slice(0, limit === undefined ? Infinity : Number(limit));
  if (files.length === 0) throw new StudioError('NOT_FOUND', `No images in ${path.resolve(folder)}.`);
  return files;
}

export function bundledSamplePaths(): string[] {
  const samples = new SampleLibrary(path.join(defaultResourcesDir(), 'samples'));
  return samples.list().map((s) => samples.pathOf(s.id));
}
