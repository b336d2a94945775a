import type { Task } from '../../../src-shared/contract/restore';
import { isLocalRepair, readsField } from '../../../src-shared/tasks/registry';
import { imagePx, type ViewRegion } from '../geometry/spaces';
import { centreRegion, damageRegion } from '../geometry/view-region';
import { hasExtend, type EditorDoc } from './document';
import type { MaskRaster } from './mask-raster';
import { RENDERER_TASKS } from '../run/task-sides';

/** The square of the photo whose 16x16 words the run will restore, in image px, for the token-grid overlay. */
export function runRegion(
  task: Task,
  width: number,
  height: number,
  raster: MaskRaster,
  doc: EditorDoc,
): ViewRegion | null {
  const { extend } = doc;
  if (readsField(task, 'extend') && hasExtend(extend)) {
    const w = width + extend.left + extend.right;
    const h = height + extend.top + extend.bottom;
    // The invented area's bounding box on the extended canvas.
    const x0 = extend.left > 0 ? 0 : extend.right > 0 ? extend.left + width : 0;
    const x1 = extend.right > 0 ? w - 1 : extend.left > 0 ? extend.left - 1 : w - 1;
    const y0 = extend.top > 0 ? 0 : extend.bottom > 0 ? extend.top + height : 0;
    const y1 = extend.bottom > 0 ? h - 1 : extend.top > 0 ? extend.top - 1 : h - 1;
    const onCanvas = damageRegion({ x0, y0, x1, y1 }, w, h);
    return onCanvas
      ? { x: imagePx(onCanvas.x - extend.left), y: imagePx(onCanvas.y - extend.top), side: onCanvas.side }
      : null;
  }
  if (isLocalRepair(task, RENDERER_TASKS[task].brushesBlur?.(doc) === true) && raster.bounds) {
    return damageRegion(raster.bounds, width, height);
  }
  return centreRegion(width, height);
}
