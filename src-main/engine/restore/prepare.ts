import type { RestoreRequest } from '../../../src-shared/contract/restore';
import { protocolRefusal, readsField } from '../../../src-shared/tasks/registry';
import { extendCanvas } from '../corrupt/outpaint';
import { StudioError } from '../errors';
import type { RgbImage } from '../image/types';
import { cropRegion, view128 } from '../image/view';
import { ENGINE_TASKS, type Corruption, type EngineTaskSide } from './corruption';
import { damageWindow, type DamageWindow } from './window';

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
  const side: EngineTaskSide<Corruption> = ENGINE_TASKS[task];
  const extend = readsField(task, 'extend') ? request.extend : undefined;
  if (extend) {
    const refusal = protocolRefusal(task, request.protocol, true);
    if (refusal) throw new StudioError('INVALID_ARGUMENT', refusal);
    // The grown margins are the damage: the window around them is restored on the extended canvas.
    const extended = extendCanvas(photo, extend, 'edge');
    const window = damageWindow(extended.image, extended.mask);
    return {
      view: window.view,
      corruption: side.fromRequest(request, window),
      window,
      canvas: extended.image,
    };
  }
  const marked = side.region?.(photo, request) ?? null;
  if (marked) {
    const window = damageWindow(photo, marked);
    return { view: window.view, corruption: side.fromRequest(request, window), window, canvas: photo };
  }
  return { view: view128(photo), corruption: side.fromRequest(request, null), window: null, canvas: photo };
}
