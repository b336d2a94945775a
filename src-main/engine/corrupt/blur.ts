import { StudioError } from '../errors';
import type { Mask, RgbImage } from '../image/types';
import { assertFinite, assertImage, assertInteger, assertMask, assertSameSize } from '../image/validate';
import { roundValues } from '../image/view';
import { reflect101 } from './border';
import { mulberry32 } from './random';

/*
 * Gaussian blur as the authors applied it: albumentations GaussianBlur(blur_limit=(5, 11)) with sigma 0, which
 * calls cv2.GaussianBlur(img, (k, k), 0). OpenCV then derives the kernel from k alone, border REFLECT_101.
 */

/** The kernel sizes the paper's deblurring task draws from. */
export const PAPER_BLUR_KERNEL_SIZES = [5, 7, 9, 11] as const;

/**
 * OpenCV's getGaussianKernel keeps fixed tables for k <= 7 when sigma <= 0 (binomial-like, not sampled from a
 * Gaussian); reproducing them matters because k = 5 and 7 are half of the paper's draws.
 */
const OPENCV_SMALL_KERNELS: Readonly<Record<number, readonly number[]>> = {
  1: [1],
  3: [0.25, 0.5, 0.25],
  5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
  7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
};

/** OpenCV's sigma for a kernel size when none is given. */
export function opencvSigmaForKernel(kernelSize: number): number {
  return 0.3 * ((kernelSize - 1) * 0.5 - 1) + 0.8;
}

function assertKernelSize(kernelSize: number): void {
  assertInteger(kernelSize, 'blur kernel size', 3, 31);
  if (kernelSize % 2 === 0) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `blur kernel size is ${kernelSize}: it must be odd (3, 5, ..., 31).`,
    );
  }
}

/**
 * The 1-D kernel cv2.getGaussianKernel(k, sigma) returns: the fixed table for k <= 7 without sigma, otherwise
 * exp(-x^2 / (2 sigma^2)) sampled at x = -(k-1)/2 .. (k-1)/2 and normalised to sum 1.
 */
export function gaussianKernel1d(kernelSize: number, sigma?: number): Float64Array {
  assertKernelSize(kernelSize);
  if (sigma === undefined || sigma <= 0) {
    const table = OPENCV_SMALL_KERNELS[kernelSize];
    if (table !== undefined) return Float64Array.from(table);
  } else {
    assertFinite(sigma, 'blur sigma');
  }
  const s = sigma !== undefined && sigma > 0 ? sigma : opencvSigmaForKernel(kernelSize);
  const half = (kernelSize - 1) / 2;
  const kernel = new Float64Array(kernelSize);
  let sum = 0;
  for (let i = 0; i < kernelSize; i++) {
    const x = i - half;
    kernel[i] = Math.exp(-(x * x) / (2 * s * s));
    sum += kernel[i] ?? 0;
  }
  for (let i = 0; i < kernelSize; i++) kernel[i] = (kernel[i] ?? 0) / sum;
  return kernel;
}

/**
 * Separable Gaussian blur with a square `kernelSize` kernel (odd, 3..31). Without `sigma` (or with sigma <= 0)
 * the kernel is OpenCV's for that size. Both passes run in floating point and the result is rounded once, so it
 * can differ by one level from OpenCV's 8-bit path, which uses a fixed-point kernel.
 */
export function gaussianBlur(image: RgbImage, kernelSize: number, sigma?: number): RgbImage {
  return roundValues(gaussianBlurValues(image, kernelSize, sigma), image.width, image.height);
}

/**
 * The same blur, unrounded: interleaved R, G, B values in 0..255 as floats. The authors blur their float image
 * and encode it as it is, so the paper's deblur input is this, not its 8-bit rounding.
 */
export function gaussianBlurValues(image: RgbImage, kernelSize: number, sigma?: number): Float64Array {
  assertImage(image);
  const kernel = gaussianKernel1d(kernelSize, sigma);
  const { width, height, data } = image;
  const half = (kernelSize - 1) / 2;

  // Border lookups are precomputed once per axis rather than per pixel and tap.
  const xIndex = new Int32Array(width * kernelSize);
  for (let x = 0; x < width; x++) {
    for (let k = 0; k < kernelSize; k++) xIndex[x * kernelSize + k] = reflect101(x + k - half, width);
  }
  const yIndex = new Int32Array(height * kernelSize);
  for (let y = 0; y < height; y++) {
    for (let k = 0; k < kernelSize; k++) yIndex[y * kernelSize + k] = reflect101(y + k - half, height);
  }

  const horizontal = new Float64Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < kernelSize; k++) {
        const w = kernel[k] ?? 0;
        const s = (row + (xIndex[x * kernelSize + k] ?? 0)) * 3;
        r += w * (data[s] ?? 0);
        g += w * (data[s + 1] ?? 0);
        b += w * (data[s + 2] ?? 0);
      }
      const d = (row + x) * 3;
      horizontal[d] = r;
      horizontal[d + 1] = g;
      horizontal[d + 2] = b;
    }
  }

  // Vertical pass row by row: whole source rows are weighted and summed, which walks memory in order.
  const out = new Float64Array(data.length);
  const rowLen = width * 3;
  for (let y = 0; y < height; y++) {
    const base = y * rowLen;
    for (let k = 0; k < kernelSize; k++) {
      const w = kernel[k] ?? 0;
      const src = (yIndex[y * kernelSize + k] ?? 0) * rowLen;
      for (let i = 0; i < rowLen; i++) out[base + i] = (out[base + i] ?? 0) + w * (horizontal[src + i] ?? 0);
    }
  }
  return out;
}

/**
 * The kernel OpenCV sizes for a sigma when it is given none (ksize 0, 8-bit images): round(6 sigma + 1), made odd,
 * here kept within 3..31 like every other kernel of the studio.
 */
export function kernelSizeForSigma(sigma: number): number {
  assertFinite(sigma, 'blur sigma');
  if (sigma <= 0) {
    throw new StudioError('INVALID_ARGUMENT', `blur sigma is ${sigma}: it must be greater than 0.`);
  }
  return Math.min(31, Math.max(3, Math.round(sigma * 6 + 1) | 1));
}

/**
 * Gaussian blur of the pixels `region` marks only; every other pixel keeps its exact value. Marked pixels are
 * blurred from their whole neighbourhood, unmarked neighbours included, as a lens would blur that part of the
 * scene, so the region's edge stays continuous with what surrounds it.
 */
export function gaussianBlurInside(
  image: RgbImage,
  region: Mask,
  kernelSize: number,
  sigma?: number,
): RgbImage {
  assertImage(image);
  assertMask(region, 'blur region');
  assertSameSize(image, region);
  const blurred = gaussianBlur(image, kernelSize, sigma);
  const data = image.data.slice();
  for (let p = 0; p < region.data.length; p++) {
    if (region.data[p] === 0) continue;
    data[p * 3] = blurred.data[p * 3] ?? 0;
    data[p * 3 + 1] = blurred.data[p * 3 + 1] ?? 0;
    data[p * 3 + 2] = blurred.data[p * 3 + 2] ?? 0;
  }
  return { width: image.width, height: image.height, data };
}

/**
 * The kernel size the paper's deblurring task draws for `seed`, as albumentations' GaussianBlur(blur_limit=(5, 11))
 * drew it in the authors' version: random.randrange(5, 12), an even size bumped to the next odd one. So 5 comes
 * up 1 time in 7 and 7, 9 and 11 each 2 times in 7. The first draw of mulberry32(seed) decides.
 */
export function paperBlurKernelSize(seed: number): number {
  const size = mulberry32(seed).int(PAPER_BLUR_KERNEL_SIZES[0], PAPER_BLUR_KERNEL_SIZES[3]);
  return size % 2 === 0 ? size + 1 : size;
}
