import type { Protocol, RestoreRequest, Task } from '../../../src-shared/contract/restore';
import { hasExtend, type EditorDoc } from '../editor/document';
import { toDamageMask, type MaskRaster } from '../editor/mask-raster';

export const TASK_INFO: Readonly<Record<Task, { label: string; hint: string }>> = {
  inpaint: {
    label: 'Inpaint',
    hint: 'Fill the painted damage (or the centre 8x8 words when nothing is painted).',
  },
  outpaint: {
    label: 'Outpaint',
    hint: 'Extend the canvas with the extender (X), or invent the painted / bottom-half area.',
  },
  deblur: {
    label: 'Deblur',
    hint: 'Blur the view (or a brushed region of it) with a Gaussian, then restore the sharp words.',
  },
  shift: { label: 'Shift-restore', hint: 'Displace the content by dx, dy at 128 px, then move it back.' },
  rotate: { label: 'Rotation-restore', hint: 'Turn the view by quarter turns, then turn it back.' },
};

/** The classical restoration a run of each task is set beside (the engine's baselines); none for shift/rotate. */
export const CLASSICAL_METHOD: Readonly<Record<Task, { short: string; long: string } | null>> = {
  inpaint: { short: 'Telea', long: 'Telea inpainting of the same cells' },
  outpaint: { short: 'Telea', long: 'Telea inpainting of the same cells' },
  deblur: { short: 'Wiener', long: 'Wiener deconvolution with the known blur' },
  shift: null,
  rotate: null,
};

export const PROTOCOL_INFO: Readonly<Record<Protocol, { label: string; hint: string }>> = {
  reference: {
    label: 'Reference — uses the clean reference',
    hint: "The paper's evaluation: in-context examples are built from the clean photo's own words.",
  },
  blind: {
    label: 'Blind',
    hint: 'No clean reference: examples come from the intact part of the photo or other images degraded alike.',
  },
};

/**
 * The restoration request for the current document, or the reason it cannot be run. Pure: the run panel shows
 * the reason next to a disabled Run button.
 */
export function buildRequest(
  imageId: number,
  task: Task,
  protocol: Protocol,
  doc: EditorDoc,
  raster: MaskRaster,
  seed: number,
): { request: RestoreRequest } | { reason: string } {
  const crop = doc.crop
    ? { crop: { x: doc.crop.x, y: doc.crop.y, width: doc.crop.width, height: doc.crop.height } }
    : {};
  const base = { imageId, task, protocol, seed, ...crop };
  switch (task) {
    case 'inpaint':
      return { request: raster.bounds ? { ...base, mask: toDamageMask(doc.mask, raster) } : base };
    case 'outpaint':
      if (hasExtend(doc.extend)) {
        if (protocol === 'reference') {
          return {
            reason: 'An extended canvas has no clean reference to learn from: choose the blind protocol.',
          };
        }
        return { request: { ...base, extend: doc.extend } };
      }
      return { request: raster.bounds ? { ...base, mask: toDamageMask(doc.mask, raster) } : base };
    case 'deblur':
      if (doc.blurMode === 'region') {
        if (!raster.bounds) {
          return { reason: 'Brush the region to blur first (B), or choose to blur the whole photo.' };
        }
        return {
          request: { ...base, blurSigma: doc.blurSigma, blurRegion: toDamageMask(doc.mask, raster) },
        };
      }
      return { request: { ...base, blurKernel: doc.blurKernel } };
    case 'shift':
      return { request: { ...base, shift: doc.shift } };
    case 'rotate':
      return { request: { ...base, quarterTurns: doc.quarterTurns } };
  }
}
