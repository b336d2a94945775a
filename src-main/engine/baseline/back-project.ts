import { gaussianBlur } from '../corrupt/blur';
import { StudioError } from '../errors';
import type { RgbImage } from '../image/types';
import { assertImage } from '../image/validate';

/**
 * One step of iterative back-projection against a known Gaussian blur: estimate + (blurred - blur(estimate)).
 * The estimate keeps its detail, and its blurred version is pulled onto the observed blurred photo, so errors that
 * survive blurring (colour, shading) are replaced by what the photo shows. Started from the blurred photo itself
 * it is plain unsharp masking, which makes it a fair test of whether an estimate (a decoded restoration) knows
 * more than the photo does: `eval deblur-bound` compares the two.
 */
export function backProject(
  estimate: RgbImage,
  blurred: RgbImage,
  kernelSize: number,
  sigma?: number,
): RgbImage {
  assertImage(estimate, 'estimate');
  assertImage(blurred, 'blurred image');
  if (estimate.width !== blurred.width || estimate.height !== blurred.height) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The estimate is ${estimate.width}x${estimate.height} but the blurred image is ${blurred.width}x${blurred.height}: they must match.`,
    );
  }
  const reblurred = gaussianBlur(estimate, kernelSize, sigma);
  const data = new Uint8Array(estimate.data.length);
  for (let i = 0; i < data.length; i++) {
    const value = (estimate.data[i] ?? 0) + (blurred.data[i] ?? 0) - (reblurred.data[i] ?? 0);
    data[i] = Math.min(255, Math.max(0, value));
  }
  return { width: estimate.width, height: estimate.height, data };
}
