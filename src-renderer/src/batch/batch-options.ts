/**
 * What a batch restores on each photo: one task and protocol, and the whole-photo options that need nothing marked.
 * The options are kept in an editor document with nothing marked, so the run panel's edits (their clamps) and its
 * request (task-sides.ts, which asks the registry what each task reads) are the batch's too.
 */
import type { Protocol, Task } from '../../../src-shared/contract/restore';
import { DEFAULT_TASK, readsField, TASKS, type TaskField } from '../../../src-shared/tasks/registry';
import type { EditorDoc } from '../editor/document';
import type { MaskRaster } from '../editor/mask-raster';
import { buildRequest, EMPTY_DOC } from '../run/task-sides';

export interface BatchOptions {
  readonly task: Task;
  readonly protocol: Protocol;
  /** The task's options as the editor keeps them; nothing is marked, and deblur blurs the whole photo. */
  readonly doc: EditorDoc;
}

export function defaultBatchOptions(protocol: Protocol): BatchOptions {
  return { task: DEFAULT_TASK, protocol, doc: EMPTY_DOC };
}

/**
 * The request fields a batch can set for every photo alike: none of them marks anything on a photo. A mask, an
 * extended canvas or a brushed region is drawn on one photo, so a batch leaves those out.
 */
const WHOLE_PHOTO_FIELDS = [
  'blurKernel',
  'shift',
  'quarterTurns',
  'resolution',
] as const satisfies readonly TaskField[];
export type BatchField = (typeof WHOLE_PHOTO_FIELDS)[number];

/** The batch options a task offers: the whole-photo fields the registry says it reads. */
export function batchFields(task: Task): BatchField[] {
  return WHOLE_PHOTO_FIELDS.filter((field) => readsField(task, field));
}

/**
 * The request for one photo of the batch, or why it cannot run: what the run panel builds for the photo with
 * nothing marked. `unmarked` is an empty mask raster (the mask-reading tasks then restore the paper's cells).
 */
export function batchRequest(imageId: number, options: BatchOptions, unmarked: MaskRaster) {
  return buildRequest(imageId, options.task, options.protocol, options.doc, unmarked, 0);
}

/** What each photo of the batch has restored, said from the registry's cells and the resolution chosen. */
export function batchCellsText(options: BatchOptions): string {
  const full = options.doc.fullResolution && readsField(options.task, 'resolution');
  switch (TASKS[options.task].paperCells) {
    case 'centre':
      return "Nothing is marked in a batch: the centre 8x8 words of each photo's view are restored, as in the paper.";
    case 'bottom-half':
      return "Nothing is marked in a batch: the bottom half of each photo's view is invented, as in the paper.";
    case 'all':
      return full
        ? 'Each photo is restored at its own size, tile by tile.'
        : "Each photo's 128 px view is restored, as in the paper.";
  }
}

/** How a started row names what it runs: "Deblur · reference · full resolution". */
export function batchOptionsLabel(options: BatchOptions): string {
  const full = options.doc.fullResolution && readsField(options.task, 'resolution');
  return [TASKS[options.task].label, options.protocol, ...(full ? ['full resolution'] : [])].join(' · ');
}
