import type { Protocol, Task } from '../../../src-shared/contract/restore';
import { isProtocol, isTask } from '../../../src-shared/tasks/registry';
import { imagePx, type ImagePoint } from '../geometry/spaces';
import { EMPTY_DOC, readTaskFields, type SavedFieldReader } from '../run/task-sides';
import type { CropRect, EditorDoc, Extend, MaskOp } from './document';

/*
 * The work on a photo kept in the store: the editor document, with the task and protocol it was set up for (a
 * brushed region means damage to inpaint or a region to blur, depending on the task), written as one JSON object.
 * It was written by this renderer, but possibly by an older or newer build, or damaged on disk, so every field is
 * checked: a field that is missing takes its default (an older build did not have it), a field that is present
 * but wrong rejects the whole of it rather than restoring half.
 */

class Unreadable extends Error {}

const fail = (what: string): never => {
  throw new Unreadable(what);
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function finite(v: unknown, what: string, min = -Infinity): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= min ? v : fail(what);
}

function point(v: unknown): ImagePoint {
  if (!isRecord(v)) return fail('stroke point');
  return { x: imagePx(finite(v['x'], 'point x')), y: imagePx(finite(v['y'], 'point y')) };
}

function maskOp(v: unknown): MaskOp {
  if (!isRecord(v)) return fail('mask step');
  switch (v['kind']) {
    case 'stroke': {
      const points = v['points'];
      if (!Array.isArray(points) || points.length === 0) return fail('stroke points');
      if (typeof v['erase'] !== 'boolean') return fail('stroke erase');
      return {
        kind: 'stroke',
        points: points.map(point),
        radius: finite(v['radius'], 'radius', 0),
        erase: v['erase'],
      };
    }
    case 'rect':
      return {
        kind: 'rect',
        x: finite(v['x'], 'rect x'),
        y: finite(v['y'], 'rect y'),
        width: finite(v['width'], 'rect width'),
        height: finite(v['height'], 'rect height'),
      };
    case 'invert':
      return { kind: 'invert' };
    default:
      return fail('mask step kind');
  }
}

function crop(v: unknown, photo: { width: number; height: number }): CropRect | null {
  if (v === null) return null;
  if (!isRecord(v)) return fail('crop');
  const x = finite(v['x'], 'crop x', 0);
  const y = finite(v['y'], 'crop y', 0);
  const width = finite(v['width'], 'crop width', 1);
  const height = finite(v['height'], 'crop height', 1);
  if (x + width > photo.width || y + height > photo.height) return fail('crop outside the photo');
  return { x: imagePx(x), y: imagePx(y), width: imagePx(width), height: imagePx(height) };
}

function extend(v: unknown): Extend {
  if (!isRecord(v)) return fail('extension');
  return {
    top: finite(v['top'], 'extension', 0),
    right: finite(v['right'], 'extension', 0),
    bottom: finite(v['bottom'], 'extension', 0),
    left: finite(v['left'], 'extension', 0),
  };
}

function field<T>(source: Record<string, unknown>, key: keyof EditorDoc, read: (v: unknown) => T): T {
  return key in source ? read(source[key]) : (EMPTY_DOC[key] as T);
}

/** Everything kept of the work on one photo. */
export interface SavedWork {
  readonly doc: EditorDoc;
  /** Null in work kept before the task was part of it. */
  readonly task: Task | null;
  readonly protocol: Protocol | null;
}

/** The JSON kept for `work`: one object, the document's fields beside the task and protocol. */
export function serializeWork(work: SavedWork): string {
  return JSON.stringify({ ...work.doc, task: work.task, protocol: work.protocol });
}

/** The work in `json`, checked against the photo it belongs to; null when it cannot be used as it is. */
export function parseSavedWork(json: string, photo: { width: number; height: number }): SavedWork | null {
  try {
    const v: unknown = JSON.parse(json);
    if (!isRecord(v)) return null;
    const task = v['task'] ?? null;
    const protocol = v['protocol'] ?? null;
    if (task !== null && !isTask(task)) return null;
    if (protocol !== null && !isProtocol(protocol)) return null;
    const doc = editorDoc(v, photo);
    return { doc, task, protocol };
  } catch (error) {
    if (error instanceof Unreadable || error instanceof SyntaxError) return null;
    throw error;
  }
}

/** Reads the task options of saved work with the same rules as every other field. */
function reader(v: Record<string, unknown>): SavedFieldReader {
  return {
    field: (key, read) => field(v, key, read),
    finite,
    record: (value, what) => (isRecord(value) ? value : fail(what)),
    fail,
  };
}

/** The editor document among the fields of `v`; throws Unreadable when a field is wrong. */
function editorDoc(v: Record<string, unknown>, photo: { width: number; height: number }): EditorDoc {
  return {
    crop: field(v, 'crop', (c) => crop(c, photo)),
    mask: field(v, 'mask', (m) => (Array.isArray(m) ? m.map(maskOp) : fail('mask'))),
    extend: field(v, 'extend', extend),
    ...readTaskFields(reader(v)),
  };
}
