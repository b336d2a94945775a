/** Corruption operators: pure functions on `RgbImage`, no I/O, reproducible from their arguments. */
export {
  gaussianBlur,
  gaussianBlurValues,
  gaussianBlurInside,
  gaussianKernel1d,
  kernelSizeForSigma,
  opencvSigmaForKernel,
  paperBlurKernelSize,
  PAPER_BLUR_KERNEL_SIZES,
} from './blur';
export { reflect101, replicate } from './border';
export type { Fill } from './fill';
export { applyMask, invertMask, maskArea, maskFromRects, maskFromStrokes, shrinkMask } from './mask';
export type { Point, Rect, Stroke } from './mask';
export { extendCanvas } from './outpaint';
export type { Margins } from './outpaint';
export { mulberry32 } from './random';
export type { Rng } from './random';
export { rot90, rotate } from './rotate';
export { paperShiftView, shiftImage } from './shift';
export type { PaperShiftView } from './shift';
export {
  maskFromTokenCells,
  paperInpaintCells,
  paperOutpaintCells,
  TOKEN_GRID,
  tokenCellsFromMask,
} from './token-cells';
