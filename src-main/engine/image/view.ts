import { StudioError } from '../errors';
import { resizeImage, shortSideSize } from './resample';
import type { ChwTensor, RgbImage } from './types';
import { assertImage, assertInteger } from './validate';

/** The tokenizer's input side: 128x128, i.e. a 16x16 grid of 8x8-pixel token cells. */
export const VIEW_SIZE = 128;

/** Scales the image so that its short side is `size` pixels, keeping the aspect ratio (never a no-op copy). */
export function resizeShortSide(image: RgbImage, size: number): RgbImage {
  assertImage(image);
  const target = shortSideSize(image.width, image.height, size);
  return resizeImage(image, target.width, target.height);
}

/** Copies the `width` x `height` rectangle whose top-left pixel is (`x`, `y`); it must lie inside the image. */
export function cropRegion(image: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  assertImage(image);
  assertInteger(x, 'crop x', 0);
  assertInteger(y, 'crop y', 0);
  assertInteger(width, 'crop width', 1);
  assertInteger(height, 'crop height', 1);
  if (x + width > image.width || y + height > image.height) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The crop ${width}x${height} at (${x}, ${y}) goes past the ${image.width}x${image.height} image.`,
    );
  }
  const out = new Uint8Array(width * height * 3);
  const rowBytes = width * 3;
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * 3;
    out.set(image.data.subarray(from, from + rowBytes), row * rowBytes);
  }
  return { width, height, data: out };
}

/** Where the centre crop sits in an image of the given size; albumentations' CenterCrop rounds down. */
export function centreCropOrigin(width: number, height: number, size: number): { x: number; y: number } {
  return { x: Math.floor((width - size) / 2), y: Math.floor((height - size) / 2) };
}

/**
 * The paper's view of an image: short side resized to 128, then the central 128x128 crop
 * (albumentations SmallestMaxSize(128) + CenterCrop(128, 128)), with an antialiased Lanczos-3 filter.
 */
export function view128(image: RgbImage): RgbImage {
  const resized = resizeShortSide(image, VIEW_SIZE);
  const origin = centreCropOrigin(resized.width, resized.height, VIEW_SIZE);
  return cropRegion(resized, origin.x, origin.y, VIEW_SIZE, VIEW_SIZE);
}

/** Interleaved RGB bytes to a planar (3, H, W) tensor in [-1, 1], as the tokenizer was trained (x / 127.5 - 1). */
export function rgbToChw(image: RgbImage): Float32Array {
  assertImage(image);
  const { width, height, data } = image;
  const plane = width * height;
  const out = new Float32Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    out[p] = (data[p * 3] ?? 0) / 127.5 - 1;
    out[plane + p] = (data[p * 3 + 1] ?? 0) / 127.5 - 1;
    out[2 * plane + p] = (data[p * 3 + 2] ?? 0) / 127.5 - 1;
  }
  return out;
}

/**
 * Interleaved R, G, B values in 0..255, unrounded (a float corruption such as `gaussianBlurValues`), as the
 * tokenizer's planar [-1, 1] input: the same scaling as `rgbToChw`, without rounding to 8 bits first.
 */
export function valuesToChw(values: Float64Array, width: number, height: number): ChwTensor {
  const plane = width * height;
  if (values.length !== plane * 3) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `${values.length} values cannot be a ${width}x${height} RGB image.`,
    );
  }
  const data = new Float32Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) data[c * plane + p] = (values[p * 3 + c] ?? 0) / 127.5 - 1;
  }
  return { channels: 3, height, width, data };
}

/** Interleaved R, G, B values in 0..255 as an 8-bit image: each rounded once and clamped. */
export function roundValues(values: Float64Array, width: number, height: number): RgbImage {
  if (values.length !== width * height * 3) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `${values.length} values cannot be a ${width}x${height} RGB image.`,
    );
  }
  const data = new Uint8Array(values.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.max(0, Math.round(values[i] ?? 0)));
  return { width, height, data };
}

/** `rgbToChw` with its shape attached, for code that passes tensors around. */
export function toChwTensor(image: RgbImage): ChwTensor {
  return { channels: 3, height: image.height, width: image.width, data: rgbToChw(image) };
}

/**
 * The inverse of `rgbToChw`: (x + 1) * 127.5, rounded and clamped to 0..255. Exact on `rgbToChw` output, and
 * safe on decoder output, which may overshoot [-1, 1].
 */
export function chwToRgb(data: Float32Array, width: number, height: number): RgbImage {
  assertInteger(width, 'tensor width', 1);
  assertInteger(height, 'tensor height', 1);
  const plane = width * height;
  if (data.length !== plane * 3) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The tensor holds ${data.length} values, not 3x${height}x${width} = ${plane * 3}.`,
    );
  }
  const out = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      // A NaN survives the clamp and is stored as 0 by the Uint8Array.
      out[p * 3 + c] = Math.min(255, Math.max(0, Math.round(((data[c * plane + p] ?? 0) + 1) * 127.5)));
    }
  }
  return { width, height, data: out };
}
