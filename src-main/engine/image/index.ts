/** Image I/O and the tokenizer's view: decoding with sharp, encoding, and pure-TypeScript resampling. */
export { DEFAULT_MAX_PIXELS, decodeImageBuffer, loadImageFile } from './decode';
export type { DecodedImage, DecodeOptions } from './decode';
export { encodeImage, makeThumbnail, toPngDataUrl, writeImageFile } from './encode';
export type { EncodeOptions, OutputFormat, WriteOptions } from './encode';
export { cloneImage, createImage } from './pixels';
export { resizeImage, shortSideSize } from './resample';
export { SUPPORTED_FORMATS } from './sniff';
export type { ImageFormat } from './sniff';
export type { ChwTensor, Mask, Rgb, RgbImage } from './types';
export { BLACK, WHITE } from './types';
export {
  centreCropOrigin,
  chwToRgb,
  cropRegion,
  resizeShortSide,
  rgbToChw,
  toChwTensor,
  view128,
  VIEW_SIZE,
} from './view';
