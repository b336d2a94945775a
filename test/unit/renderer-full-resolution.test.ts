// The run panel's request for Full resolution: pure renderer code, tested in Node; type-checked with the renderer.
import { describe, expect, it } from 'vitest';
import { restoreRequestValidator } from '../../src-shared/contract/restore';
import { TASK_IDS } from '../../src-shared/tasks/registry';
import { tileCount } from '../../src-shared/tasks/tile-layout';
import type { MaskRaster } from '../../src-renderer/src/editor/mask-raster';
import { buildRequest, EMPTY_DOC } from '../../src-renderer/src/run/task-sides';

// Nothing painted: no task here reads the canvas.
const UNMARKED: MaskRaster = {
  canvas: null as unknown as HTMLCanvasElement,
  scale: 1,
  bounds: null,
  coverage: 0,
};
const FULL = { ...EMPTY_DOC, fullResolution: true };

describe('Full resolution in the run panel', () => {
  it('asks for it only where the task reads it, and the contract accepts what it builds', () => {
    for (const task of TASK_IDS) {
      const built = buildRequest(7, task, 'reference', FULL, UNMARKED, 0);
      if (!('request' in built)) throw new Error(built.reason);
      const expected = task === 'deblur' || task === 'shift' || task === 'rotate' ? 'full' : undefined;
      expect(built.request.resolution, task).toBe(expected);
      expect(() => restoreRequestValidator(built.request, 'input'), task).not.toThrow();
    }
    const view = buildRequest(7, 'shift', 'reference', EMPTY_DOC, UNMARKED, 0);
    expect('request' in view && view.request.resolution).toBeUndefined();
  });

  it('leaves it out of a region deblur, a local repair', () => {
    const marked = { ...UNMARKED, bounds: { x0: 10, y0: 10, x1: 40, y1: 40 }, coverage: 0.1 };
    const doc = {
      ...FULL,
      blurMode: 'region' as const,
      mask: [{ kind: 'rect' as const, x: 10, y: 10, width: 30, height: 30 }],
    };
    const built = buildRequest(7, 'deblur', 'reference', doc, marked, 0);
    if (!('request' in built)) throw new Error(built.reason);
    expect(built.request.blurRegion).toBeDefined();
    expect(built.request.resolution).toBeUndefined();
  });

  it('counts the tiles the hint names', () => {
    expect(tileCount(200, 150)).toBe(4);
    expect(tileCount(128, 128)).toBe(1);
    expect(tileCount(451, 300)).toBe(15);
  });
});
