/** Full-reference image quality metrics on 8-bit RGB images: pure functions, no I/O. */
export { assertSameSize, channel, lumaBt601 } from './luma';
export { mseRgb, PEAK_8BIT, psnrFromMse, psnrRgb, psnrY } from './psnr';
export { gaussianKernel, ssim, ssimPlane, SSIM_K1, SSIM_K2, SSIM_SIGMA, SSIM_WINDOW } from './ssim';
export type { SsimChannels } from './ssim';
export { maskBounds, psnrYInside, ssimRgbInside } from './region';
