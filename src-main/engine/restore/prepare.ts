import type { RestoreRequest } from '../../../src-shared/contract/restore';
import { extendCanvas } from '../corrupt/outpaint';
import { StudioError } from '../errors';
import type { RgbImage } from '../image/types';
import { cropRegion, view128 } from '../image/view';
import { blurRegionMask, deblurCorruption, type Corruption } from './corruption';
import { damageMask, damageWindow, type DamageWindow } from './window';

/*
 * Preparing a restoration draws the mask over the whole photo and resizes it: up to seconds on a 100 MP photo.
 * Nothing here touches the store or the models, so it can run in an image worker (../workers/image-pool.ts).
 */

export interface PreparedRestore {
  readonly view: RgbImage;
  readonly corruption: Corruption;
  readonly window: DamageWindow | null;
  readonly canvas: RgbImage;
}

/** What a request restores: a 128 px view, the corruption applied to it, and where it sits in the photo. */
export function prepareRestore(opened: RgbImage, request: RestoreRequest): PreparedRestore {
  const { task, crop } = request;
  // Everything after the crop, the pasted-back photo included, works on the cropped pixels alone.
  const photo = crop ? cropRegion(opened, crop.x, crop.y, crop.width, crop.height) : opened;
  if (task === 'outpaint' && request.extend) {
    if (request.protocol === 'reference') {
      throw new StudioError(
        'INVALID_ARGUMENT',
        'Extending the canvas has no clean reference to build examples from: use the blind protocol.',
      );
    }
    const extended = extendCanvas(photo, request.extend, 'edge');
    const window = damageWindow(extended.image, extended.mask);
    return { view: window.view, corruption: { task, cells: window.cells }, window, canvas: extended.image };
  }
  if ((task === 'inpaint' || task === 'outpaint') && request.mask) {
    const window = damageWindow(photo, damageMask(photo.width, photo.height, request.mask));
    return { view: window.view, corruption: { task, cells: window.cells }, window, canvas: photo };
  }
  if (task === 'deblur' && request.blurRegion) {
    const window = damageWindow(photo, blurRegionMask(photo.width, photo.height, request.blurRegion));
    return { view: window.view, corruption: deblurCorruption(request, window.mask), window, canvas: photo };
  }
  const view = view128(photo);
  switch (task) {
    case 'inpaint':
    case 'outpaint':
      return { view, corruption: { task }, window: null, canvas: photo };
    case 'deblur':
      return {
        view,
        corruption: deblurCorruption(request),
        window: null,
        canvas: photo,
      };
    case 'shift':
      return {
        view,
        corruption: { task, dx: request.shift?.dx ?? 8, dy: request.shift?.dy ?? 8 },
        window: null,
        canvas: photo,
      };
    case 'rotate':
      return {
        view,
        corruption: { task, quarterTurns: request.quarterTurns ?? 1 },
        window: null,
        canvas: photo,
      };
  }
}
