import { StudioError } from '../errors';
import type { RgbImage } from './types';
import { assertImage, assertInteger } from './validate';

/*
 * Separable Lanczos-3 resampling in plain TypeScript, with the filter widened by the reduction factor when
 * shrinking (the antialiasing scheme of Pillow's `Image.resize`). We do not delegate to libvips here because the
 * 128x128 view feeds the tokenizer: the same photo must give the same pixels, hence the same tokens, on every
 * platform and sharp version. Both passes accumulate in floating point and round once at the end.
 */

const LOBES = 3;

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

function lanczos(x: number): number {
  return x > -LOBES && x < LOBES ? sinc(x) * sinc(x / LOBES) : 0;
}

/** For each output coordinate: the first input index and the normalised weights of its window. */
interface Taps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly stride: number;
  readonly weights: Float64Array;
}

function computeTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = LOBES * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * stride);
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    const lo = Math.max(Math.floor(centre - support + 0.5), 0);
    const hi = Math.min(Math.floor(centre + support + 0.5), inSize);
    let sum = 0;
    for (let j = lo; j < hi; j++) {
      const w = lanczos((j - centre + 0.5) / filterScale);
      weights[i * stride + (j - lo)] = w;
      sum += w;
    }
    // Windows clipped at the border are renormalised so flat areas stay flat up to the edge.
    if (sum !== 0)
      for (let j = 0; j < hi - lo; j++) weights[i * stride + j] = (weights[i * stride + j] ?? 0) / sum;
    start[i] = lo;
    count[i] = hi - lo;
  }
  return { start, count, stride, weights };
}

/** Resizes to exactly `width` x `height` (aspect ratio is the caller's business). */
export function resizeImage(image: RgbImage, width: number, height: number): RgbImage {
  assertImage(image);
  assertInteger(width, 'target width', 1);
  assertInteger(height, 'target height', 1);
  if (width === image.width && height === image.height) {
    return { width, height, data: image.data.slice() };
  }
  const src = image.data;
  const inW = image.width;
  const inH = image.height;

  // Horizontal pass: inH rows of `width` float pixels.
  const mid = new Float32Array(inH * width * 3);
  if (width === inW) {
    for (let i = 0; i < src.length; i++) mid[i] = src[i] ?? 0;
  } else {
    const taps = computeTaps(inW, width);
    for (let y = 0; y < inH; y++) {
      const row = y * inW * 3;
      for (let x = 0; x < width; x++) {
        const first = taps.start[x] ?? 0;
        const n = taps.count[x] ?? 0;
        const wBase = x * taps.stride;
        let r = 0;
        let g = 0;
        let b = 0;
        for (let k = 0; k < n; k++) {
          const w = taps.weights[wBase + k] ?? 0;
          const s = row + (first + k) * 3;
          r += w * (src[s] ?? 0);
          g += w * (src[s + 1] ?? 0);
          b += w * (src[s + 2] ?? 0);
        }
        const d = (y * width + x) * 3;
        mid[d] = r;
        mid[d + 1] = g;
        mid[d + 2] = b;
      }
    }
  }

  // Vertical pass, rounding once into 8 bits.
  const out = new Uint8Array(width * height * 3);
  const rowLen = width * 3;
  if (height === inH) {
    for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(mid[i] ?? 0)));
    return { width, height, data: out };
  }
  const taps = computeTaps(inH, height);
  const acc = new Float64Array(rowLen);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    const first = taps.start[y] ?? 0;
    const n = taps.count[y] ?? 0;
    for (let k = 0; k < n; k++) {
      const w = taps.weights[y * taps.stride + k] ?? 0;
      const row = (first + k) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] = (acc[i] ?? 0) + w * (mid[row + i] ?? 0);
    }
    const base = y * rowLen;
    for (let i = 0; i < rowLen; i++) out[base + i] = Math.min(255, Math.max(0, Math.round(acc[i] ?? 0)));
  }
  return { width, height, data: out };
}

/** Python's round(): halves go to the even neighbour. Used to match albumentations' size arithmetic. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The size an image takes when its short side is scaled to `size`, as albumentations' SmallestMaxSize computes
 * it (scale = size / short side, each side rounded with Python's round).
 */
export function shortSideSize(
  width: number,
  height: number,
  size: number,
): { width: number; height: number } {
  assertInteger(size, 'size', 1);
  if (width < 1 || height < 1) {
    throw new StudioError('INVALID_ARGUMENT', `Cannot scale a ${width}x${height} image: it has no pixels.`);
  }
  const scale = size / Math.min(width, height);
  return {
    width: width <= height ? size : Math.max(size, roundHalfEven(width * scale)),
    height: height <= width ? size : Math.max(size, roundHalfEven(height * scale)),
  };
}
