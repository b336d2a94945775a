import { stat, readFile } from 'node:fs/promises';
import path from 'node:path';

import { StudioError } from '../errors';
import type { RgbImage } from '../image/types';
import { assertImage } from '../image/validate';
import { rgbToChw } from '../image/view';
import { sha256File } from '../tokenizer/manifest';
import { OnnxModel } from '../tokenizer/onnx';

/*
 * The two learned scores of the paper's tables, run by onnxruntime like the tokenizer:
 * - LPIPS with the network the authors trained the tokenizer with (VGG16 features and linear heads, kept in their
 *   checkpoint): the converter writes it into a pack as `lpips.onnx`, so a pack either has it or scores without it;
 * - the InceptionV3 pool features of FID, from an ONNX file the user supplies (training/metrics/export_inception.py
 *   writes one from FID weights): "image" [N,3,H,W] in [0,1] -> [N,2048].
 */

/** Pairs scored per run of the LPIPS graph: bounded so a long evaluation never holds many VGG activations. */
const BATCH = 8;

function sameSizes(a: readonly RgbImage[], b: readonly RgbImage[]): void {
  if (a.length !== b.length) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `LPIPS compares pairs: got ${a.length} and ${b.length} images.`,
    );
  }
  a.forEach((image, i) => {
    const other = b[i];
    assertImage(image, `image ${i}`);
    if (!other || other.width !== image.width || other.height !== image.height) {
      throw new StudioError('INVALID_ARGUMENT', `Pair ${i} holds images of different sizes.`);
    }
  });
}

/** Planar [N,3,H,W] values of same-sized images: in [-1, 1], or in [0, 1] when `unit`. */
function planar(images: readonly RgbImage[], unit: boolean): Float32Array {
  const first = images[0];
  const plane = first ? 3 * first.width * first.height : 0;
  const out = new Float32Array(images.length * plane);
  images.forEach((image, i) => {
    const chw = rgbToChw(image);
    // rgbToChw gives [-1, 1]; the FID network takes [0, 1].
    if (unit) for (let k = 0; k < chw.length; k++) chw[k] = ((chw[k] ?? 0) + 1) / 2;
    out.set(chw, i * plane);
  });
  return out;
}

interface LpipsEntry {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** LPIPS(VGG16) with a pack's weights: distances of image pairs, lower is closer, 0 for identical images. */
export class LpipsNetwork implements AsyncDisposable {
  private constructor(
    private readonly model: OnnxModel,
    private readonly names: { readonly a: string; readonly b: string; readonly out: string },
  ) {}

  /**
   * The pack's LPIPS network, its file checked against the manifest's size and SHA-256; null when the pack has
   * none (the bundled pack, or a converted checkpoint without it).
   */
  static async fromPack(packDir: string, options: { threads?: number } = {}): Promise<LpipsNetwork | null> {
    const manifestFile = path.join(packDir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as {
      files?: Record<string, LpipsEntry | undefined>;
      io?: Record<string, { inputs?: string[]; output?: string } | undefined>;
    };
    const entry = manifest.files?.['lpips'];
    if (!entry) return null;
    const file = path.join(packDir, entry.path);
    const size = (await stat(file).catch(() => null))?.size;
    if (size !== entry.bytes || (await sha256File(file)) !== entry.sha256) {
      throw new StudioError(
        'MODEL_INVALID',
        `${entry.path} in ${packDir} is not the file manifest.json describes (size or SHA-256 differ): ` +
          'convert the pack again.',
      );
    }
    const io = manifest.io?.['lpips'];
    const names = {
      a: io?.inputs?.[0] ?? 'image_a',
      b: io?.inputs?.[1] ?? 'image_b',
      out: io?.output ?? 'distance',
    };
    const model = await OnnxModel.load(
      file,
      options.threads === undefined ? {} : { threads: options.threads },
    );
    for (const name of [names.a, names.b]) {
      if (!model.inputNames.includes(name)) {
        await model.release();
        throw new StudioError(
          'MODEL_INVALID',
          `${entry.path} has no input "${name}", which manifest.json names.`,
        );
      }
    }
    return new LpipsNetwork(model, names);
  }

  /** LPIPS of each pair (a[i], b[i]), same-sized 8-bit images fed in [-1, 1] as the network was trained. */
  async distances(a: readonly RgbImage[], b: readonly RgbImage[]): Promise<number[]> {
    sameSizes(a, b);
    const out: number[] = [];
    for (let start = 0; start < a.length; start += BATCH) {
      const left = a.slice(start, start + BATCH);
      const right = b.slice(start, start + BATCH);
      const first = left[0];
      if (!first) break;
      const dims = [left.length, 3, first.height, first.width];
      const result = await this.model.runFeeds(
        {
          [this.names.a]: { type: 'float32', data: planar(left, false), dims },
          [this.names.b]: { type: 'float32', data: planar(right, false), dims },
        },
        [this.names.out],
      );
      const value = result[this.names.out];
      if (value?.type !== 'float32' || value.data.length !== left.length) {
        throw new StudioError('MODEL_INVALID', `The LPIPS graph gave no distance per pair.`);
      }
      out.push(...value.data);
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.model.release();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

/** InceptionV3's pool features per image. */
export const FID_DIMENSIONS = 2048;

/** The FID feature extractor: InceptionV3 pool features of images, from a user-supplied ONNX file. */
export class FidFeatures implements AsyncDisposable {
  private constructor(
    private readonly model: OnnxModel,
    private readonly input: string,
    private readonly output: string,
  ) {}

  static async load(file: string, options: { threads?: number } = {}): Promise<FidFeatures> {
    if (!(await stat(file).catch(() => null))?.isFile()) {
      throw new StudioError('FILE_NOT_FOUND', `--fid-model ${file} does not exist.`);
    }
    const model = await OnnxModel.load(
      file,
      options.threads === undefined ? {} : { threads: options.threads },
    );
    const [input] = model.inputNames;
    const [output] = model.outputNames;
    if (model.inputNames.length !== 1 || !input || !output) {
      await model.release();
      throw new StudioError(
        'MODEL_INVALID',
        `${file} takes ${model.inputNames.length} inputs; an FID network takes one image batch ` +
          '(training/metrics/export_inception.py writes one).',
      );
    }
    return new FidFeatures(model, input, output);
  }

  /** Pool features of each image (fed in [0, 1], as the FID network expects), one vector per image. */
  async features(images: readonly RgbImage[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < images.length; start += BATCH) {
      const batch = images.slice(start, start + BATCH);
      const first = batch[0];
      if (!first) break;
      batch.forEach((image, i) => {
        assertImage(image, `image ${start + i}`);
        if (image.width !== first.width || image.height !== first.height) {
          throw new StudioError('INVALID_ARGUMENT', 'FID features are taken from images of one size.');
        }
      });
      const value = await this.model.run(
        this.input,
        { type: 'float32', data: planar(batch, true), dims: [batch.length, 3, first.height, first.width] },
        this.output,
      );
      const per = value.data.length / batch.length;
      if (value.type !== 'float32' || per !== FID_DIMENSIONS) {
        throw new StudioError(
          'MODEL_INVALID',
          `The FID network gave ${value.type} [${value.dims.join(', ')}]; it must give 2048 pool features per ` +
            'image (InceptionV3).',
        );
      }
      for (let i = 0; i < batch.length; i++) out.push(value.data.slice(i * per, (i + 1) * per));
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.model.release();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
