/*
 * Classical, model-free restorations to set beside the language model's, one per task (each task's side in
 * restore/corruption.ts chooses its own: `classicalRestoration`). They are given the same
 * corrupted 128x128 view and the same corruption parameters the restoration is told about.
 *
 * - inpaint / outpaint: Telea's fast marching inpainting over the pixels of the removed token cells.
 * - deblur: non-blind deconvolution with the known Gaussian kernel. The Wiener-type filter is used because it
 *   beats Richardson-Lucy at every kernel size, and runs faster. Mean RGB PSNR against the sharp view on
 *   ImageNet-val (dev split) views 1-20, blurred / Wiener (lambda 1e-4) / Richardson-Lucy (30 iterations):
 *   k = 5: 25.18 / 31.17 / 28.70 dB; k = 7: 23.37 / 28.60 / 25.92 dB; k = 9: 22.51 / 27.21 / 24.81 dB;
 *   k = 11: 21.77 / 25.97 / 23.84 dB. (Lambda was picked on views 21-40: 1e-4 was best or within 0.07 dB of
 *   best at every k among 1e-5 .. 1e-2.)
 *   A blurred region (the studio's brushed deblur) is deconvolved by `wienerInside`, which keeps the sharp pixels
 *   around it and rebuilds the blur they imply, instead of filtering the whole view as if it were all blurred. Same
 *   20 views, one 14 px brush stroke over 63 of the 256 cells, RGB PSNR over those cells, blurred / whole-view
 *   Wiener / wienerInside: k = 5: 25.46 / 14.88 / 31.92 dB; k = 7: 23.68 / 13.18 / 28.78 dB;
 *   k = 9: 22.85 / 12.28 / 27.57 dB; k = 11: 22.14 / 11.44 / 26.27 dB.
 * - shift: an oracle-parameter baseline. It knows (dx, dy) and shifts back with edge fill, which restores every
 *   pixel that stayed on the canvas exactly; only the band that was pushed off is a guess (repeated edge).
 * - rotate: the corrupted image as is ("no-op"). With the number of quarter turns known, rot90 undoes the rotation
 *   exactly, so an oracle-parameter baseline would be trivially perfect and say nothing; the no-op shows what
 *   leaving the rotation in place costs.
 */

export { inpaintTelea } from './telea';
export { richardsonLucy, wiener, wienerInside, WIENER_DEFAULT_LAMBDA } from './deconvolve';
