import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import { StudioError } from '../errors';
import { FIRST_IMAGE_TOKEN_ID, LAST_IMAGE_TOKEN_ID, VOCABULARY_SIZE, vocabularySha256 } from './vocabulary';

/*
 * A model pack is a folder: manifest.json, encoder.onnx (image -> token ids, quantiser inside the graph) and
 * decoder.onnx (token ids -> image), written by training/tokenizer/export_onnx.py. The manifest is the contract:
 * this module reads it, checks every field the runtime relies on, and checks that the model files are the ones
 * the manifest was written for.
 *
 * formatVersion 2 adds an optional global branch (the paper's CLIP global tokens), written by
 * training/convert/convert.py from the released V2L weights: a CLIP image encoder graph that gives the k nearest
 * entries of a global vocabulary, that vocabulary's text, both codebooks as .npy, and a decoder that takes the
 * local and global token embeddings (rows of the codebooks) instead of ids. A version 2 manifest without a
 * "global" section means exactly what version 1 means, so version 1 packs keep loading unchanged.
 */

export const MANIFEST_FILE = 'manifest.json';
export const PACK_FORMAT = 'v2l-pack';
/** The newest format this studio reads (and the converter writes). */
export const PACK_FORMAT_VERSION = 2;
export const SUPPORTED_FORMAT_VERSIONS: readonly number[] = [1, 2];

export type PackRole = 'encoder' | 'decoder';
export const PACK_ROLES: readonly PackRole[] = ['encoder', 'decoder'];

/** The files of a global branch: CLIP graph with top-k selection, the two codebooks, the global vocabulary. */
export type GlobalRole = 'globalEncoder' | 'localCodebook' | 'globalCodebook' | 'globalVocabulary';
export const GLOBAL_ROLES: readonly GlobalRole[] = [
  'globalEncoder',
  'localCodebook',
  'globalCodebook',
  'globalVocabulary',
];

export interface PackFile {
  /** Relative to the pack folder; never outside it. */
  readonly path: string;
  /** Lower-case hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  readonly bytes: number;
}

export interface PackTensorIo {
  readonly input: string;
  readonly output: string;
}

/** A float32 matrix file (.npy) of the pack, with the shape the manifest promises. */
export interface PackMatrixFile extends PackFile {
  readonly rows: number;
  readonly cols: number;
}

/** What a pack's global branch is made of, as its manifest states it. */
export interface PackGlobalBranch {
  /** Global tokens per image (the paper uses 21): the k nearest global vocabulary entries, nearest first. */
  readonly tokens: number;
  /** Entries of the global vocabulary (11,908 for the released weights); global ids are 0..size-1. */
  readonly size: number;
  readonly files: {
    readonly globalEncoder: PackFile;
    /** [32000, D]: row = LLaMA-2 id; the decoder's local input is these rows. */
    readonly localCodebook: PackMatrixFile;
    /** [size, D']: the decoder's global input is these rows. */
    readonly globalCodebook: PackMatrixFile;
    /** JSON array of `size` strings, index = global id. */
    readonly globalVocabulary: PackFile;
  };
  readonly io: {
    /** The CLIP graph: image -> global ids. */
    readonly globalEncoder: PackTensorIo;
    /** The decoder's second input, the global embeddings [N, k, D']; its first input takes local embeddings. */
    readonly decoderGlobalInput: string;
  };
}

export interface PackManifest {
  readonly format: typeof PACK_FORMAT;
  readonly formatVersion: number;
  readonly name: string;
  /** Side of the square input and output images in pixels (128 for the paper's tokenizer). */
  readonly imageSize: number;
  /** Side of the square token grid (16: one token per 8x8 pixels). */
  readonly grid: number;
  readonly vocabulary: {
    readonly name: string;
    readonly size: number;
    readonly sha256: string;
    /** Inclusive range of the ids the encoder can produce. */
    readonly producedIds: readonly [number, number];
  };
  readonly files: Readonly<Record<PackRole, PackFile>>;
  /**
   * Tensor names of each graph; "image" and "ids" unless the manifest says otherwise. With a global branch the
   * decoder's input is the local embeddings ("embeddings") rather than ids.
   */
  readonly io: Readonly<Record<PackRole, PackTensorIo>>;
  /** The global branch, or null for packs that have none (every version 1 pack). */
  readonly global: PackGlobalBranch | null;
  /** Measured quality figures as the exporter recorded them; shown, never interpreted. */
  readonly metrics: Readonly<Record<string, unknown>>;
  /** The parsed JSON as written, for fields the runtime does not use (training summary, codebook, ...). */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** The manifest plus the absolute paths of its model files, once their hashes have been checked. */
export interface VerifiedPack {
  readonly dir: string;
  readonly manifest: PackManifest;
  readonly files: Readonly<Record<PackRole, string>>;
  /** Absolute paths of the global branch's files, when the pack has one. */
  readonly globalFiles: Readonly<Record<GlobalRole, string>> | null;
  /** Wall time spent hashing the model files, in milliseconds. */
  readonly hashMs: number;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(dir: string, file: string, problem: string, fix: string, cause?: unknown): StudioError {
  return new StudioError(
    'MODEL_INVALID',
    `Model pack ${dir}: ${file} ${problem}. ${fix}`,
    cause === undefined ? undefined : { cause },
  );
}

/** A manifest value as the message shows it; a missing field reads "nothing" (JSON.stringify gives undefined). */
function shown(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

const REEXPORT =
  'Re-export the pack (training/tokenizer/export_onnx.py; converted packs: training/convert/convert.py) or ' +
  'reinstall it.';

/** A reader of one manifest's fields that names the field at fault. */
function fields(dir: string) {
  const bad = (field: string, expected: string, value: unknown): StudioError =>
    invalid(dir, MANIFEST_FILE, `has ${field} = ${shown(value)}, expected ${expected}`, REEXPORT);
  return {
    object(parent: Json, key: string, where: string): Json {
      const value = parent[key];
      if (!isObject(value)) throw bad(`${where}${key}`, 'an object', value);
      return value;
    },
    string(parent: Json, key: string, where: string, pattern?: RegExp): string {
      const value = parent[key];
      if (typeof value !== 'string' || value === '' || (pattern && !pattern.test(value))) {
        throw bad(
          `${where}${key}`,
          pattern ? `a string matching ${String(pattern)}` : 'a non-empty string',
          value,
        );
      }
      return value;
    },
    integer(parent: Json, key: string, where: string, min: number): number {
      const value = parent[key];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
        throw bad(`${where}${key}`, `an integer >= ${min}`, value);
      }
      return value;
    },
    bad,
  };
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Checks the parsed manifest of the pack in `dir` and returns it typed. Every failure is a StudioError with code
 * MODEL_INVALID that names the pack folder, the file and the fix.
 */
export function parseManifest(dir: string, json: unknown): PackManifest {
  if (!isObject(json)) {
    throw invalid(dir, MANIFEST_FILE, 'is not a JSON object', REEXPORT);
  }
  const f = fields(dir);
  if (json['format'] !== PACK_FORMAT) {
    throw invalid(
      dir,
      MANIFEST_FILE,
      `declares format ${shown(json['format'])}, not "${PACK_FORMAT}"`,
      'This folder does not hold a V2L model pack; point to a folder written by export_onnx.py or convert.py.',
    );
  }
  const formatVersion = json['formatVersion'];
  if (typeof formatVersion !== 'number' || !SUPPORTED_FORMAT_VERSIONS.includes(formatVersion)) {
    throw invalid(
      dir,
      MANIFEST_FILE,
      `has formatVersion ${shown(formatVersion)}; this version of the studio reads ` +
        `formatVersion ${SUPPORTED_FORMAT_VERSIONS.join(' and ')}`,
      'Install a pack exported for this version, or update the studio.',
    );
  }
  const name = f.string(json, 'name', '');
  const imageSize = f.integer(json, 'imageSize', '', 8);
  const grid = f.integer(json, 'grid', '', 1);
  if (imageSize % grid !== 0) throw f.bad('imageSize', `a multiple of grid (${grid})`, imageSize);

  const vocab = f.object(json, 'vocabulary', '');
  const vocabSize = f.integer(vocab, 'size', 'vocabulary.', 1);
  const vocabSha = f.string(vocab, 'sha256', 'vocabulary.');
  if (vocabSize !== VOCABULARY_SIZE || vocabSha !== vocabularySha256()) {
    throw invalid(
      dir,
      MANIFEST_FILE,
      `was trained against a different vocabulary (size ${vocabSize}, sha256 ${vocabSha}); the studio uses the ` +
        `LLaMA-2 vocabulary (size ${VOCABULARY_SIZE}, sha256 ${vocabularySha256()}), so its token ids would ` +
        'name the wrong words',
      'Use a pack trained on the LLaMA-2 vocabulary of llama-tokenizer-js@1.2.2.',
    );
  }
  const produced = vocab['producedIds'] ?? [FIRST_IMAGE_TOKEN_ID, LAST_IMAGE_TOKEN_ID];
  if (
    !Array.isArray(produced) ||
    produced.length !== 2 ||
    produced[0] !== FIRST_IMAGE_TOKEN_ID ||
    produced[1] !== LAST_IMAGE_TOKEN_ID
  ) {
    throw f.bad('vocabulary.producedIds', `[${FIRST_IMAGE_TOKEN_ID}, ${LAST_IMAGE_TOKEN_ID}]`, produced);
  }

  const filesJson = f.object(json, 'files', '');
  const ioJson = isObject(json['io']) ? json['io'] : {};
  const fileEntry = (role: string): PackFile => {
    const entry = f.object(filesJson, role, 'files.');
    const where = `files.${role}.`;
    const rel = f.string(entry, 'path', where);
    // The manifest may come from anywhere: its paths must not reach outside the pack folder.
    if (path.isAbsolute(rel) || path.normalize(rel).split(/[\\/]/).includes('..')) {
      throw f.bad(`${where}path`, 'a path inside the pack folder', rel);
    }
    return {
      path: rel,
      sha256: f.string(entry, 'sha256', where, SHA256_HEX),
      bytes: f.integer(entry, 'bytes', where, 1),
    };
  };
  const tensorIo = (role: string, defaults: readonly [string, string]): PackTensorIo => {
    const roleIo = isObject(ioJson[role]) ? ioJson[role] : {};
    const input = isObject(roleIo['input']) ? roleIo['input']['name'] : undefined;
    const output = isObject(roleIo['output']) ? roleIo['output']['name'] : undefined;
    return {
      input: typeof input === 'string' ? input : defaults[0],
      output: typeof output === 'string' ? output : defaults[1],
    };
  };

  const hasGlobal = json['global'] !== undefined;
  if (hasGlobal && formatVersion < 2) {
    throw f.bad('formatVersion', '2 or more for a pack with a global branch', formatVersion);
  }
  const files = {} as Record<PackRole, PackFile>;
  const io = {} as Record<PackRole, PackTensorIo>;
  for (const role of PACK_ROLES) {
    files[role] = fileEntry(role);
    const decoderDefaults = hasGlobal ? (['embeddings', 'image'] as const) : (['ids', 'image'] as const);
    io[role] = tensorIo(role, role === 'encoder' ? ['image', 'ids'] : decoderDefaults);
  }
  return {
    format: PACK_FORMAT,
    formatVersion,
    name,
    imageSize,
    grid,
    vocabulary: {
      name: typeof vocab['name'] === 'string' ? vocab['name'] : '',
      size: vocabSize,
      sha256: vocabSha,
      producedIds: [FIRST_IMAGE_TOKEN_ID, LAST_IMAGE_TOKEN_ID],
    },
    files,
    io,
    global: hasGlobal ? parseGlobal(f, json, filesJson, ioJson, fileEntry, tensorIo) : null,
    metrics: isObject(json['metrics']) ? json['metrics'] : {},
    raw: json,
  };
}

/** The "global" section and the files and tensor names it relies on. */
function parseGlobal(
  f: ReturnType<typeof fields>,
  json: Json,
  filesJson: Json,
  ioJson: Json,
  fileEntry: (role: string) => PackFile,
  tensorIo: (role: string, defaults: readonly [string, string]) => PackTensorIo,
): PackGlobalBranch {
  const section = f.object(json, 'global', '');
  const size = f.integer(section, 'size', 'global.', 1);
  const tokens = f.integer(section, 'tokens', 'global.', 1);
  if (tokens > size) throw f.bad('global.tokens', `at most global.size (${size})`, tokens);
  const matrix = (role: 'localCodebook' | 'globalCodebook', rows: number): PackMatrixFile => {
    const entry = fileEntry(role);
    const raw = f.object(filesJson, role, 'files.');
    const shape = raw['shape'];
    const dtype = raw['dtype'] ?? 'float32';
    if (dtype !== 'float32') throw f.bad(`files.${role}.dtype`, '"float32"', dtype);
    if (
      !Array.isArray(shape) ||
      shape.length !== 2 ||
      shape[0] !== rows ||
      typeof shape[1] !== 'number' ||
      !Number.isInteger(shape[1]) ||
      shape[1] < 1
    ) {
      throw f.bad(`files.${role}.shape`, `[${rows}, D] with D a whole number >= 1`, shape);
    }
    return { ...entry, rows, cols: shape[1] };
  };
  const decoderIo = isObject(ioJson['decoder']) ? ioJson['decoder'] : {};
  const globalInput = isObject(decoderIo['globalInput']) ? decoderIo['globalInput']['name'] : undefined;
  return {
    tokens,
    size,
    files: {
      globalEncoder: fileEntry('globalEncoder'),
      localCodebook: matrix('localCodebook', VOCABULARY_SIZE),
      globalCodebook: matrix('globalCodebook', size),
      globalVocabulary: fileEntry('globalVocabulary'),
    },
    io: {
      globalEncoder: tensorIo('globalEncoder', ['image', 'global_ids']),
      decoderGlobalInput: typeof globalInput === 'string' ? globalInput : 'global_embeddings',
    },
  };
}

/** Every file the pack consists of, by role, for hashing. */
export function packFiles(manifest: PackManifest): [role: PackRole | GlobalRole, entry: PackFile][] {
  const list: [PackRole | GlobalRole, PackFile][] = PACK_ROLES.map((role) => [role, manifest.files[role]]);
  if (manifest.global) for (const role of GLOBAL_ROLES) list.push([role, manifest.global.files[role]]);
  return list;
}

/** Reads and checks `dir`/manifest.json (structure and vocabulary; the model files are not touched). */
export async function readManifest(dir: string): Promise<PackManifest> {
  const abs = path.resolve(dir);
  const file = path.join(abs, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw invalid(
      abs,
      MANIFEST_FILE,
      missing ? 'is missing' : `cannot be read (${(error as Error).message})`,
      missing
        ? 'Point to a folder that holds a model pack (manifest.json, encoder.onnx, decoder.onnx), or reinstall it.'
        : "Check the folder's permissions.",
      error,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(abs, MANIFEST_FILE, `is not valid JSON (${(error as Error).message})`, REEXPORT, error);
  }
  return parseManifest(abs, json);
}

/** Streams a file through SHA-256, so a 60 MB model is never held twice in memory just to be hashed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks that each model file exists, has the size and the SHA-256 the manifest states, and returns their
 * absolute paths. Sizes are compared first, so a truncated download fails without being hashed.
 */
export async function verifyPackFiles(dir: string, manifest: PackManifest): Promise<VerifiedPack> {
  const abs = path.resolve(dir);
  const started = performance.now();
  const resolved = {} as Record<PackRole | GlobalRole, string>;
  for (const [role, entry] of packFiles(manifest)) {
    const file = path.join(abs, entry.path);
    let size: number;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      size = info.size;
    } catch (error) {
      throw invalid(
        abs,
        entry.path,
        `(the ${role} named in ${MANIFEST_FILE}) is missing`,
        'The pack is incomplete: copy the whole folder again or reinstall the pack.',
        error,
      );
    }
    if (size !== entry.bytes) {
      throw invalid(
        abs,
        entry.path,
        `(the ${role}) is ${size} bytes but ${MANIFEST_FILE} says ${entry.bytes}: it is truncated or was replaced`,
        'Copy the pack again or reinstall it.',
      );
    }
    const actual = await sha256File(file);
    if (actual !== entry.sha256) {
      throw invalid(
        abs,
        entry.path,
        `(the ${role}) has SHA-256 ${actual}, but ${MANIFEST_FILE} expects ${entry.sha256}: the file is damaged or ` +
          'belongs to another pack',
        'Copy the pack again or reinstall it; do not mix files from different packs.',
      );
    }
    resolved[role] = file;
  }
  const globalFiles = manifest.global
    ? {
        globalEncoder: resolved.globalEncoder,
        localCodebook: resolved.localCodebook,
        globalCodebook: resolved.globalCodebook,
        globalVocabulary: resolved.globalVocabulary,
      }
    : null;
  return {
    dir: abs,
    manifest,
    files: { encoder: resolved.encoder, decoder: resolved.decoder },
    globalFiles,
    hashMs: performance.now() - started,
  };
}

/** `readManifest` then `verifyPackFiles`: the one call that makes a pack folder safe to load. */
export async function loadPack(dir: string): Promise<VerifiedPack> {
  return verifyPackFiles(dir, await readManifest(dir));
}
