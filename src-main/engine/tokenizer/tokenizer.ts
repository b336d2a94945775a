import path from 'node:path';

import { StudioError } from '../errors';
import { chwToRgb, rgbToChw } from '../image/view';
import type { RgbImage } from '../image/types';
import { assertImage } from '../image/validate';
import { loadPack, type PackManifest } from './manifest';
import {
  candidateProviders,
  listedBackends,
  OnnxModel,
  type ExecutionProvider,
  type ProviderAttempt,
  type SessionOptions,
} from './onnx';
import { FIRST_IMAGE_TOKEN_ID, LAST_IMAGE_TOKEN_ID } from './vocabulary';

/** One image's tokens: grid x grid LLaMA-2 ids in row-major order (256 for the 16x16 grid). */
export interface TokenGrid {
  readonly ids: Int32Array;
}

export interface TokenizerOptions extends SessionOptions {
  /** Images per ONNX run in `encode` and `decode`; bounds memory for long lists. Defaults to 8. */
  readonly batchSize?: number;
}

export interface TokenizerInfo {
  readonly name: string;
  readonly dir: string;
  /** The provider of each session, e.g. { encoder: 'cpu', decoder: 'cpu' }. */
  readonly providers: Readonly<Record<'encoder' | 'decoder', ExecutionProvider>>;
  /** Providers tried before the one in use, with their errors. */
  readonly failedProviders: readonly ProviderAttempt[];
  readonly grid: number;
  readonly imageSize: number;
  readonly metrics: Readonly<Record<string, unknown>>;
  /** Milliseconds spent hashing the model files and creating both sessions during `load`. */
  readonly timings: { readonly hashMs: number; readonly sessionMs: number };
}

const DEFAULT_BATCH = 8;

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The V2L tokenizer of one model pack: `encode` turns 128x128 images into 16x16 grids of LLaMA-2 token ids,
 * `decode` turns grids back into images. Both ONNX sessions are created once by `load` and reused by every
 * call; `dispose` (or `await using`) frees them.
 */
export class V2LTokenizer implements AsyncDisposable {
  readonly info: TokenizerInfo;
  readonly manifest: PackManifest;
  readonly #encoder: OnnxModel;
  readonly #decoder: OnnxModel;
  readonly #batchSize: number;
  #disposed = false;

  private constructor(
    manifest: PackManifest,
    dir: string,
    encoder: OnnxModel,
    decoder: OnnxModel,
    hashMs: number,
    batchSize: number,
  ) {
    this.manifest = manifest;
    this.#encoder = encoder;
    this.#decoder = decoder;
    this.#batchSize = batchSize;
    this.info = {
      name: manifest.name,
      dir,
      providers: { encoder: encoder.provider, decoder: decoder.provider },
      failedProviders: [...encoder.failedProviders, ...decoder.failedProviders],
      grid: manifest.grid,
      imageSize: manifest.imageSize,
      metrics: manifest.metrics,
      timings: { hashMs, sessionMs: encoder.createMs + decoder.createMs },
    };
  }

  /**
   * Checks the pack in `packDir` (manifest, vocabulary, file hashes) and creates its two sessions. Throws
   * MODEL_INVALID, naming the file, when any of that fails.
   */
  static async load(packDir: string, options: TokenizerOptions = {}): Promise<V2LTokenizer> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `The batch size must be a whole number >= 1, not ${batchSize}.`,
      );
    }
    const pack = await loadPack(packDir);
    const providers = options.providers ?? candidateProviders(process.platform, listedBackends());
    const encoder = await OnnxModel.load(pack.files.encoder, { ...options, providers });
    let decoder: OnnxModel;
    try {
      // Start where the encoder succeeded: the providers before it have just failed and would fail again.
      decoder = await OnnxModel.load(pack.files.decoder, {
        ...options,
        providers: providers.slice(providers.indexOf(encoder.provider)),
      });
    } catch (error) {
      await encoder.release();
      throw error;
    }
    const tokenizer = new V2LTokenizer(pack.manifest, pack.dir, encoder, decoder, pack.hashMs, batchSize);
    try {
      tokenizer.#checkGraphs();
    } catch (error) {
      await tokenizer.dispose();
      throw error;
    }
    return tokenizer;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Tokens per image (256 for a 16x16 grid). */
  get tokensPerImage(): number {
    return this.manifest.grid * this.manifest.grid;
  }

  #checkGraphs(): void {
    for (const [role, model] of [
      ['encoder', this.#encoder],
      ['decoder', this.#decoder],
    ] as const) {
      const io = this.manifest.io[role];
      if (!model.inputNames.includes(io.input) || !model.outputNames.includes(io.output)) {
        throw new StudioError(
          'MODEL_INVALID',
          `Model pack ${this.info.dir}: ${path.basename(model.file)} (the ${role}) takes ` +
            `[${model.inputNames.join(', ')}] and gives [${model.outputNames.join(', ')}], but manifest.json ` +
            `says "${io.input}" -> "${io.output}". Re-export the pack with training/tokenizer/export_onnx.py.`,
        );
      }
    }
  }

  #assertLive(): void {
    if (this.#disposed) {
      throw new StudioError(
        'INTERNAL',
        `The tokenizer of pack ${this.info.dir} was disposed; load it again.`,
      );
    }
  }

  /** Encodes images of imageSize x imageSize (use `view128` first) into token grids, one per image, in order. */
  async encode(images: readonly RgbImage[]): Promise<TokenGrid[]> {
    this.#assertLive();
    const size = this.manifest.imageSize;
    images.forEach((image, i) => {
      assertImage(image, `image ${i}`);
      if (image.width !== size || image.height !== size) {
        throw new StudioError(
          'INVALID_ARGUMENT',
          `Image ${i} is ${image.width}x${image.height}; the tokenizer takes ${size}x${size} ` +
            '(resize the short side and centre-crop first, as view128 does).',
        );
      }
    });
    const plane = 3 * size * size;
    const grid = this.manifest.grid;
    const cells = grid * grid;
    const out: TokenGrid[] = [];
    for (const batch of batches(images, this.#batchSize)) {
      const input = new Float32Array(batch.length * plane);
      batch.forEach((image, i) => input.set(rgbToChw(image), i * plane));
      const io = this.manifest.io.encoder;
      const result = await this.#encoder.run(
        io.input,
        { type: 'float32', data: input, dims: [batch.length, 3, size, size] },
        io.output,
      );
      if (result.type !== 'int64' || result.data.length !== batch.length * cells) {
        throw this.#badOutput(
          'encoder',
          `${result.type} [${result.dims.join(', ')}]`,
          `int64 [${batch.length}, ${grid}, ${grid}]`,
        );
      }
      for (let b = 0; b < batch.length; b++) {
        const ids = new Int32Array(cells);
        for (let c = 0; c < cells; c++) {
          const id = Number(result.data[b * cells + c]);
          if (id < FIRST_IMAGE_TOKEN_ID || id > LAST_IMAGE_TOKEN_ID) {
            throw this.#badOutput(
              'encoder',
              `token id ${id}`,
              `ids in ${FIRST_IMAGE_TOKEN_ID}..${LAST_IMAGE_TOKEN_ID}`,
            );
          }
          ids[c] = id;
        }
        out.push({ ids });
      }
    }
    return out;
  }

  /** Decodes token grids (TokenGrid or plain arrays of grid x grid ids) into imageSize x imageSize images. */
  async decode(grids: readonly (TokenGrid | ArrayLike<number>)[]): Promise<RgbImage[]> {
    this.#assertLive();
    const grid = this.manifest.grid;
    const cells = grid * grid;
    const size = this.manifest.imageSize;
    const idLists = grids.map((g) => ('ids' in g ? g.ids : g));
    idLists.forEach((ids, i) => {
      if (ids.length !== cells) {
        throw new StudioError(
          'INVALID_ARGUMENT',
          `Token grid ${i} holds ${ids.length} ids; this pack decodes ${grid}x${grid} = ${cells}.`,
        );
      }
      for (let c = 0; c < cells; c++) {
        const id = ids[c];
        if (
          id === undefined ||
          !Number.isInteger(id) ||
          id < FIRST_IMAGE_TOKEN_ID ||
          id > LAST_IMAGE_TOKEN_ID
        ) {
          throw new StudioError(
            'INVALID_ARGUMENT',
            `Token grid ${i} has id ${String(id)} at row ${Math.floor(c / grid)}, column ${c % grid}; image ` +
              `tokens are ${FIRST_IMAGE_TOKEN_ID}..${LAST_IMAGE_TOKEN_ID} (special and byte pieces cannot be drawn).`,
          );
        }
      }
    });
    const plane = 3 * size * size;
    const out: RgbImage[] = [];
    for (const batch of batches(idLists, this.#batchSize)) {
      const input = new BigInt64Array(batch.length * cells);
      batch.forEach((ids, b) => {
        for (let c = 0; c < cells; c++) input[b * cells + c] = BigInt(ids[c] ?? 0);
      });
      const io = this.manifest.io.decoder;
      const result = await this.#decoder.run(
        io.input,
        { type: 'int64', data: input, dims: [batch.length, grid, grid] },
        io.output,
      );
      if (result.type !== 'float32' || result.data.length !== batch.length * plane) {
        throw this.#badOutput(
          'decoder',
          `${result.type} [${result.dims.join(', ')}]`,
          `float32 [${batch.length}, 3, ${size}, ${size}]`,
        );
      }
      for (let b = 0; b < batch.length; b++) {
        out.push(chwToRgb(result.data.subarray(b * plane, (b + 1) * plane), size, size));
      }
    }
    return out;
  }

  #badOutput(role: 'encoder' | 'decoder', got: string, expected: string): StudioError {
    return new StudioError(
      'MODEL_INVALID',
      `Model pack ${this.info.dir}: ${this.manifest.files[role].path} (the ${role}) produced ${got}, expected ` +
        `${expected}. Re-export the pack with training/tokenizer/export_onnx.py.`,
    );
  }

  /** Frees both sessions. Safe to call more than once; encode and decode fail afterwards. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await Promise.all([this.#encoder.release(), this.#decoder.release()]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
