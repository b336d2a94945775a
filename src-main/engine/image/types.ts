/**
 * Pixel containers shared by the engine. They are plain objects over typed arrays so they can be
 * transferred to workers, cloned across processes and built in tests without any library.
 */

/** An 8-bit sRGB image: interleaved R, G, B, row-major, `data.length === width * height * 3`. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** One value per pixel, row-major: 1 marks a pixel (to fill, to predict, ...), 0 leaves it alone. */
export interface Mask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * A planar float tensor in channel-first order (C, H, W), the layout the tokenizer's ONNX graph takes.
 * For images, values are in [-1, 1] (see `rgbToChw`).
 */
export interface ChwTensor {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/** An sRGB colour as three 0..255 integers. */
export type Rgb = readonly [r: number, g: number, b: number];

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];
