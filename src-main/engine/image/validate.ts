import { StudioError } from '../errors';
import type { Mask, Rgb, RgbImage } from './types';

/*
 * Argument checks shared by the pixel operators. Images and masks arrive from other processes and from
 * user-drawn geometry, so a wrong size must fail with a message rather than read past the end of an array.
 */

export function assertImage(image: RgbImage, what = 'image'): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The ${what} is ${width}x${height}: both sides must be whole numbers >= 1.`,
    );
  }
  if (data.length !== width * height * 3) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The ${what} is ${width}x${height} but holds ${data.length} bytes instead of ${width * height * 3} (RGB).`,
    );
  }
}

export function assertMask(mask: Mask, what = 'mask'): void {
  const { width, height, data } = mask;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The ${what} is ${width}x${height}: both sides must be whole numbers >= 1.`,
    );
  }
  if (data.length !== width * height) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The ${what} is ${width}x${height} but holds ${data.length} values instead of ${width * height}.`,
    );
  }
}

export function assertSameSize(image: RgbImage, mask: Mask): void {
  if (image.width !== mask.width || image.height !== mask.height) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The mask is ${mask.width}x${mask.height} but the image is ${image.width}x${image.height}: they must match.`,
    );
  }
}

export function assertInteger(value: number, name: string, min = -Infinity, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range =
      min === -Infinity && max === Infinity
        ? 'a whole number'
        : max === Infinity
          ? `a whole number >= ${min}`
          : `a whole number in ${min}..${max}`;
    throw new StudioError('INVALID_ARGUMENT', `${name} is ${value}: it must be ${range}.`);
  }
}

export function assertFinite(value: number, name: string): void {
  if (!Number.isFinite(value)) {
    throw new StudioError('INVALID_ARGUMENT', `${name} is ${value}: it must be a finite number.`);
  }
}

export function assertRgb(colour: Rgb, name = 'fill colour'): void {
  // The length is checked although the type fixes it: colours arrive from the renderer as plain JSON.
  if (
    (colour as readonly number[]).length !== 3 ||
    colour.some((c) => !Number.isInteger(c) || c < 0 || c > 255)
  ) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The ${name} [${colour.join(', ')}] must be three whole numbers in 0..255.`,
    );
  }
}
