import { StudioError } from '../errors';
import type { RgbImage } from '../image/types';
import { assertSameSize, channel, lumaBt601 } from './luma';
import { PEAK_8BIT } from './psnr';

/*
 * SSIM as Wang, Bovik, Sheikh and Simoncelli (2004) define it and their reference code computes it: local means,
 * variances and covariance under an 11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03, L = 255, population
 * (not sample) statistics, averaged over the positions where the window lies wholly inside the image ("valid").
 * This is what BasicSR's `calculate_ssim` does; scikit-image's `structural_similarity(gaussian_weights=True,
 * use_sample_covariance=False, data_range=255)` gives the same number.
 */

export const SSIM_WINDOW = 11;
export const SSIM_SIGMA = 1.5;
export const SSIM_K1 = 0.01;
export const SSIM_K2 = 0.03;

/** The normalised 1-D Gaussian whose outer product with itself is the 2-D SSIM window. */
export function gaussianKernel(size = SSIM_WINDOW, sigma = SSIM_SIGMA): Float64Array {
  const kernel = new Float64Array(size);
  const centre = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const value = Math.exp(-((i - centre) ** 2) / (2 * sigma * sigma));
    kernel[i] = value;
    sum += value;
  }
  for (let i = 0; i < size; i++) kernel[i] = (kernel[i] ?? 0) / sum;
  return kernel;
}

/** "Valid" separable filtering: out is (w - k + 1) x (h - k + 1). */
function filterValid(src: Float64Array, width: number, height: number, kernel: Float64Array): Float64Array {
  const k = kernel.length;
  const ow = width - k + 1;
  const oh = height - k + 1;
  const rows = new Float64Array(ow * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      for (let i = 0; i < k; i++) acc += (kernel[i] ?? 0) * (src[y * width + x + i] ?? 0);
      rows[y * ow + x] = acc;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      for (let i = 0; i < k; i++) acc += (kernel[i] ?? 0) * (rows[(y + i) * ow + x] ?? 0);
      out[y * ow + x] = acc;
    }
  }
  return out;
}

/** Mean SSIM of two same-sized single-channel planes of samples in 0..peak. */
export function ssimPlane(
  a: Float64Array,
  b: Float64Array,
  width: number,
  height: number,
  peak = PEAK_8BIT,
): number {
  if (width < SSIM_WINDOW || height < SSIM_WINDOW) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `SSIM needs images of at least ${SSIM_WINDOW}x${SSIM_WINDOW} pixels, not ${width}x${height}.`,
    );
  }
  const n = width * height;
  if (a.length !== n || b.length !== n) {
    throw new StudioError('INVALID_ARGUMENT', `SSIM planes must hold ${width}x${height} = ${n} samples.`);
  }
  const kernel = gaussianKernel();
  const aa = new Float64Array(n);
  const bb = new Float64Array(n);
  const ab = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    aa[i] = (a[i] ?? 0) * (a[i] ?? 0);
    bb[i] = (b[i] ?? 0) * (b[i] ?? 0);
    ab[i] = (a[i] ?? 0) * (b[i] ?? 0);
  }
  const [muA, muB, eAA, eBB, eAB] = [a, b, aa, bb, ab].map((p) => filterValid(p, width, height, kernel)) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const c1 = (SSIM_K1 * peak) ** 2;
  const c2 = (SSIM_K2 * peak) ** 2;
  let sum = 0;
  for (let i = 0; i < muA.length; i++) {
    const ma = muA[i] ?? 0;
    const mb = muB[i] ?? 0;
    const varA = (eAA[i] ?? 0) - ma * ma;
    const varB = (eBB[i] ?? 0) - mb * mb;
    const cov = (eAB[i] ?? 0) - ma * mb;
    sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (varA + varB + c2));
  }
  return sum / muA.length;
}

/** Which samples SSIM is computed on: BT.601 luma (the restoration convention) or each RGB channel, averaged. */
export type SsimChannels = 'y' | 'rgb';

/**
 * Mean SSIM of two same-sized images. Defaults to the luma channel (`lumaBt601`), which is what the V2L paper's
 * restoration tables and BasicSR report; 'rgb' averages the SSIM of R, G and B. Identical images give 1.
 */
export function ssim(a: RgbImage, b: RgbImage, channels: SsimChannels = 'y'): number {
  assertSameSize(a, b);
  const { width, height } = a;
  if (channels === 'y') return ssimPlane(lumaBt601(a), lumaBt601(b), width, height);
  let sum = 0;
  for (const c of [0, 1, 2] as const) sum += ssimPlane(channel(a, c), channel(b, c), width, height);
  return sum / 3;
}
