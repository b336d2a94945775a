import path from 'node:path';

import { StudioError } from '../errors';
import { chwToRgb, rgbToChw } from '../image/view';
import type { ChwTensor, RgbImage } from '../image/types';
import { assertImage } from '../image/validate';
import { gatherGlobal, gatherLocal, loadGlobalData, type GlobalData } from './global';
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
  /**
   * Only from packs with a global branch: the image's global ids (indices into the pack's global vocabulary,
   * nearest first; 21 for the released weights). Their decoder needs them back, so `decode` reads them here.
   */
  readonly globalIds?: Int32Array;
}

/** A pack's global branch as the tokenizer exposes it. */
export interface GlobalBranchInfo {
  /** Global ids per image. */
  readonly tokens: number;
  /** Entries in the global vocabulary: global ids are 0..size-1. */
  readonly size: number;
}

export interface TokenizerOptions extends SessionOptions {
  /** Images per ONNX run in `encode` and `decode`; bounds memory for long lists. Defaults to 8. */
  readonly batchSize?: number;
}

export interface TokenizerInfo {
  readonly name: string;
  readonly dir: string;
  /** The provider of each session, e.g. { encoder: 'cpu', decoder: 'cpu' } (and globalEncoder with a global branch). */
  readonly providers: Readonly<Record<'encoder' | 'decoder', ExecutionProvider>> & {
    readonly globalEncoder?: ExecutionProvider;
  };
  /** Providers tried before the one in use, with their errors. */
  readonly failedProviders: readonly ProviderAttempt[];
  readonly grid: number;
  readonly imageSize: number;
  readonly metrics: Readonly<Record<string, unknown>>;
  /** The global branch, or null when the pack has none. */
  readonly global: GlobalBranchInfo | null;
  /** Milliseconds spent hashing the model files and creating the sessions during `load`. */
  readonly timings: { readonly hashMs: number; readonly sessionMs: number };
}

interface Sessions {
  readonly encoder: OnnxModel;
  readonly decoder: OnnxModel;
  /** The CLIP graph and the branch's data, for packs with a global branch. */
  readonly global: { readonly model: OnnxModel; readonly data: GlobalData } | null;
}

const quoted = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(' + ');

async function releaseAll(models: readonly (OnnxModel | null)[]): Promise<void> {
  await Promise.all(models.flatMap((m) => (m ? [m.release()] : [])));
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
  readonly #global: Sessions['global'];
  readonly #batchSize: number;
  #disposed = false;

  private constructor(
    manifest: PackManifest,
    dir: string,
    sessions: Sessions,
    hashMs: number,
    batchSize: number,
  ) {
    const { encoder, decoder, global } = sessions;
    this.manifest = manifest;
    this.#encoder = encoder;
    this.#decoder = decoder;
    this.#global = global;
    this.#batchSize = batchSize;
    const models = [encoder, decoder, ...(global ? [global.model] : [])];
    this.info = {
      name: manifest.name,
      dir,
      providers: {
        encoder: encoder.provider,
        decoder: decoder.provider,
        ...(global ? { globalEncoder: global.model.provider } : {}),
      },
      failedProviders: models.flatMap((m) => m.failedProviders),
      grid: manifest.grid,
      imageSize: manifest.imageSize,
      metrics: manifest.metrics,
      global: manifest.global ? { tokens: manifest.global.tokens, size: manifest.global.size } : null,
      timings: { hashMs, sessionMs: models.reduce((sum, m) => sum + m.createMs, 0) },
    };
  }

  /**
   * Checks the pack in `packDir` (manifest, vocabulary, file hashes; with a global branch also the codebooks'
   * shapes and the global vocabulary) and creates its sessions. Throws MODEL_INVALID, naming the file, when any
   * of that fails.
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
    // Start where the encoder succeeded: the providers before it have just failed and would fail again.
    const rest = { ...options, providers: providers.slice(providers.indexOf(encoder.provider)) };
    let decoder: OnnxModel | null = null;
    let globalModel: OnnxModel | null = null;
    let global: Sessions['global'] = null;
    try {
      decoder = await OnnxModel.load(pack.files.decoder, rest);
      if (pack.manifest.global && pack.globalFiles) {
        globalModel = await OnnxModel.load(pack.globalFiles.globalEncoder, rest);
        const data = await loadGlobalData(pack.dir, pack.manifest.global, pack.globalFiles);
        global = { model: globalModel, data };
      }
    } catch (error) {
      await releaseAll([encoder, decoder, globalModel]);
      throw error;
    }
    const tokenizer = new V2LTokenizer(
      pack.manifest,
      pack.dir,
      { encoder, decoder, global },
      pack.hashMs,
      batchSize,
    );
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
    const branch = this.manifest.global;
    const graphs: [string, OnnxModel, string[], string[]][] = [
      ['encoder', this.#encoder, [this.manifest.io.encoder.input], [this.manifest.io.encoder.output]],
      [
        'decoder',
        this.#decoder,
        [this.manifest.io.decoder.input, ...(branch ? [branch.io.decoderGlobalInput] : [])],
        [this.manifest.io.decoder.output],
      ],
    ];
    if (branch && this.#global) {
      const io = branch.io.globalEncoder;
      graphs.push(['globalEncoder', this.#global.model, [io.input], [io.output]]);
    }
    for (const [role, model, inputs, outputs] of graphs) {
      if (
        !inputs.every((n) => model.inputNames.includes(n)) ||
        !outputs.every((n) => model.outputNames.includes(n))
      ) {
        throw this.#badGraph(
          model,
          role,
          `takes [${model.inputNames.join(', ')}] and gives [${model.outputNames.join(', ')}], but manifest.json ` +
            `says ${quoted(inputs)} -> ${quoted(outputs)}`,
        );
      }
    }
    if (!branch || !this.#global) return;
    // The decoder reads codebook rows: its declared widths must be the codebooks' widths, or every run would fail.
    const { local, global } = this.#global.data;
    const expect = (
      model: OnnxModel,
      role: string,
      kind: 'input' | 'output',
      name: string,
      type: string,
      dims: readonly (number | null)[],
    ) => {
      const meta = model.tensorShape(kind, name);
      if (!meta) return;
      const fits =
        meta.type === type &&
        meta.shape.length === dims.length &&
        dims.every((d, i) => d === null || typeof meta.shape[i] !== 'number' || meta.shape[i] === d);
      if (!fits) {
        const wanted = dims.map((d) => (d === null ? '*' : String(d))).join(', ');
        throw this.#badGraph(
          model,
          role,
          `declares ${kind} "${name}" as ${meta.type} [${meta.shape.join(', ')}], but the pack's codebooks and ` +
            `manifest.json need ${type} [${wanted}]`,
        );
      }
    };
    const g = this.manifest.grid;
    expect(this.#decoder, 'decoder', 'input', this.manifest.io.decoder.input, 'float32', [
      null,
      local.cols,
      g,
      g,
    ]);
    expect(this.#decoder, 'decoder', 'input', branch.io.decoderGlobalInput, 'float32', [
      null,
      null,
      global.cols,
    ]);
    expect(this.#global.model, 'globalEncoder', 'output', branch.io.globalEncoder.output, 'int64', [
      null,
      branch.tokens,
    ]);
  }

  #badGraph(model: OnnxModel, role: string, problem: string): StudioError {
    return new StudioError(
      'MODEL_INVALID',
      `Model pack ${this.info.dir}: ${path.basename(model.file)} (the ${role}) ${problem}. Re-export the pack ` +
        '(training/tokenizer/export_onnx.py; converted packs: training/convert/convert.py).',
    );
  }

  #assertLive(): void {
    if (this.#disposed) {
      throw new StudioError(
        'INTERNAL',
        `The tokenizer of pack ${this.info.dir} was disposed; load it again.`,
      );
    }
  }

  /**
   * The checked model inputs of `images`, batch by batch: [batch size, values], values channel-first in [-1, 1].
   * An image may come as the planar tensor itself (an unrounded corruption, see `CorruptedView.input`).
   */
  #inputBatches(images: readonly (RgbImage | ChwTensor)[]): [number, Float32Array][] {
    const size = this.manifest.imageSize;
    images.forEach((image, i) => {
      if ('channels' in image) {
        if (image.channels !== 3 || image.data.length !== 3 * image.width * image.height) {
          throw new StudioError('INVALID_ARGUMENT', `Tensor ${i} is not a 3-channel image.`);
        }
      } else {
        assertImage(image, `image ${i}`);
      }
      if (image.width !== size || image.height !== size) {
        throw new StudioError(
          'INVALID_ARGUMENT',
          `Image ${i} is ${image.width}x${image.height}; the tokenizer takes ${size}x${size} ` +
            '(resize the short side and centre-crop first, as view128 does).',
        );
      }
    });
    const plane = 3 * size * size;
    return batches(images, this.#batchSize).map((batch) => {
      const input = new Float32Array(batch.length * plane);
      batch.forEach((image, i) => input.set('channels' in image ? image.data : rgbToChw(image), i * plane));
      return [batch.length, input];
    });
  }

  /**
   * Encodes images of imageSize x imageSize (use `view128` first) into token grids, one per image, in order.
   * With a global branch each grid also carries the image's global ids, unless `options.global` is false (the
   * CLIP graph is the larger part of the work, and callers that only read local ids can skip it).
   */
  async encode(
    images: readonly (RgbImage | ChwTensor)[],
    options: { readonly global?: boolean } = {},
  ): Promise<TokenGrid[]> {
    this.#assertLive();
    const size = this.manifest.imageSize;
    const grid = this.manifest.grid;
    const cells = grid * grid;
    const out: TokenGrid[] = [];
    for (const [count, input] of this.#inputBatches(images)) {
      const io = this.manifest.io.encoder;
      const result = await this.#encoder.run(
        io.input,
        { type: 'float32', data: input, dims: [count, 3, size, size] },
        io.output,
      );
      if (result.type !== 'int64' || result.data.length !== count * cells) {
        throw this.#badOutput(
          'encoder',
          `${result.type} [${result.dims.join(', ')}]`,
          `int64 [${count}, ${grid}, ${grid}]`,
        );
      }
      const globals = this.#global && options.global !== false ? await this.#runGlobal(count, input) : null;
      for (let b = 0; b < count; b++) {
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
        const globalIds = globals?.[b];
        out.push(globalIds ? { ids, globalIds } : { ids });
      }
    }
    return out;
  }

  /**
   * Only the global branch: each image's global ids (nearest first), without running the local encoder. Fails
   * with INVALID_ARGUMENT for packs without a global branch.
   */
  async encodeGlobal(images: readonly RgbImage[]): Promise<Int32Array[]> {
    this.#assertLive();
    this.#requireGlobal('encodeGlobal');
    const out: Int32Array[] = [];
    for (const [count, input] of this.#inputBatches(images))
      out.push(...(await this.#runGlobal(count, input)));
    return out;
  }

  async #runGlobal(count: number, input: Float32Array): Promise<Int32Array[]> {
    const branch = this.manifest.global;
    if (!branch || !this.#global) return [];
    const size = this.manifest.imageSize;
    const io = branch.io.globalEncoder;
    const result = await this.#global.model.run(
      io.input,
      { type: 'float32', data: input, dims: [count, 3, size, size] },
      io.output,
    );
    const k = branch.tokens;
    if (result.type !== 'int64' || result.data.length !== count * k) {
      throw this.#badOutput(
        'globalEncoder',
        `${result.type} [${result.dims.join(', ')}]`,
        `int64 [${count}, ${k}]`,
      );
    }
    const out: Int32Array[] = [];
    for (let b = 0; b < count; b++) {
      const ids = new Int32Array(k);
      for (let j = 0; j < k; j++) {
        const id = Number(result.data[b * k + j]);
        if (!(id >= 0 && id < branch.size)) {
          throw this.#badOutput('globalEncoder', `global id ${id}`, `global ids in 0..${branch.size - 1}`);
        }
        ids[j] = id;
      }
      out.push(ids);
    }
    return out;
  }

  /**
   * Decodes token grids (TokenGrid or plain arrays of grid x grid ids) into imageSize x imageSize images. A pack
   * with a global branch also needs each image's global ids: `globalIds[i]` when given, else the grid's own
   * `globalIds` (as `encode` returned it).
   */
  async decode(
    grids: readonly (TokenGrid | ArrayLike<number>)[],
    globalIds?: readonly (ArrayLike<number> | undefined)[],
  ): Promise<RgbImage[]> {
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
    const globalLists = this.#global ? this.#globalListsFor(grids, globalIds) : null;
    const plane = 3 * size * size;
    const out: RgbImage[] = [];
    for (let start = 0; start < idLists.length; start += this.#batchSize) {
      const batch = idLists.slice(start, start + this.#batchSize);
      const result = globalLists
        ? await this.#runDecoderWithGlobal(batch, globalLists.slice(start, start + this.#batchSize))
        : await this.#runDecoderOnIds(batch);
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

  #globalListsFor(
    grids: readonly (TokenGrid | ArrayLike<number>)[],
    globalIds: readonly (ArrayLike<number> | undefined)[] | undefined,
  ): ArrayLike<number>[] {
    const branch = this.manifest.global;
    if (!branch) return [];
    if (globalIds !== undefined && globalIds.length !== grids.length) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `${globalIds.length} lists of global ids were given for ${grids.length} token grids; give one per grid.`,
      );
    }
    return grids.map((g, i) => {
      const list = globalIds?.[i] ?? ('ids' in g ? g.globalIds : undefined);
      if (list === undefined) {
        throw new StudioError(
          'INVALID_ARGUMENT',
          `Token grid ${i} comes without global ids, but pack "${this.manifest.name}" decodes local ids together ` +
            `with the image's ${branch.tokens} global ids: pass the globalIds that encode returned for the image.`,
        );
      }
      if (list.length !== branch.tokens) {
        throw new StudioError(
          'INVALID_ARGUMENT',
          `Token grid ${i} comes with ${list.length} global ids; this pack's decoder takes ${branch.tokens}.`,
        );
      }
      for (let j = 0; j < list.length; j++) {
        const id = list[j];
        if (id === undefined || !Number.isInteger(id) || id < 0 || id >= branch.size) {
          throw new StudioError(
            'INVALID_ARGUMENT',
            `Global id ${j} of token grid ${i} is ${String(id)}; global ids are 0..${branch.size - 1}.`,
          );
        }
      }
      return list;
    });
  }

  async #runDecoderOnIds(batch: readonly ArrayLike<number>[]) {
    const grid = this.manifest.grid;
    const cells = grid * grid;
    const input = new BigInt64Array(batch.length * cells);
    batch.forEach((ids, b) => {
      for (let c = 0; c < cells; c++) input[b * cells + c] = BigInt(ids[c] ?? 0);
    });
    const io = this.manifest.io.decoder;
    return this.#decoder.run(
      io.input,
      { type: 'int64', data: input, dims: [batch.length, grid, grid] },
      io.output,
    );
  }

  async #runDecoderWithGlobal(batch: readonly ArrayLike<number>[], globals: readonly ArrayLike<number>[]) {
    const branch = this.manifest.global;
    if (!branch || !this.#global) throw new StudioError('INTERNAL', 'No global branch to decode with.');
    const { local, global } = this.#global.data;
    const grid = this.manifest.grid;
    const io = this.manifest.io.decoder;
    const result = await this.#decoder.runFeeds(
      {
        [io.input]: {
          type: 'float32',
          data: gatherLocal(local, batch, grid * grid),
          dims: [batch.length, local.cols, grid, grid],
        },
        [branch.io.decoderGlobalInput]: {
          type: 'float32',
          data: gatherGlobal(global, globals, branch.tokens),
          dims: [batch.length, branch.tokens, global.cols],
        },
      },
      [io.output],
    );
    const value = result[io.output];
    if (!value) throw this.#badOutput('decoder', 'nothing', `an output named "${io.output}"`);
    return value;
  }

  /** Whether the pack has a global branch (CLIP global tokens and a decoder that attends to them). */
  get hasGlobalBranch(): boolean {
    return this.#global !== null;
  }

  /** The global vocabulary's text of global id `id` (e.g. "golden retriever"). */
  globalText(id: number): string {
    const data = this.#requireGlobal('globalText');
    const text = Number.isInteger(id) ? data.vocabulary[id] : undefined;
    if (text === undefined) {
      throw new RangeError(
        `Global id ${id} is outside the global vocabulary (0..${data.vocabulary.length - 1}).`,
      );
    }
    return text;
  }

  /** `globalText` for each id, in order. */
  globalTexts(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id) => this.globalText(id));
  }

  #requireGlobal(what: string): GlobalData {
    if (!this.#global) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `${what}: pack "${this.manifest.name}" has no global branch. Convert the official V2L weights with ` +
          'training/convert/convert.py for a pack that has one.',
      );
    }
    return this.#global.data;
  }

  #badOutput(role: 'encoder' | 'decoder' | 'globalEncoder', got: string, expected: string): StudioError {
    const file =
      role === 'globalEncoder'
        ? (this.manifest.global?.files.globalEncoder.path ?? 'global encoder')
        : this.manifest.files[role].path;
    return new StudioError(
      'MODEL_INVALID',
      `Model pack ${this.info.dir}: ${file} (the ${role}) produced ${got}, expected ${expected}. Re-export the ` +
        'pack (training/tokenizer/export_onnx.py; converted packs: training/convert/convert.py).',
    );
  }

  /** Frees the sessions. Safe to call more than once; encode and decode fail afterwards. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await releaseAll([this.#encoder, this.#decoder, this.#global?.model ?? null]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
