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
 */

export const MANIFEST_FILE = 'manifest.json';
export const PACK_FORMAT = 'v2l-pack';
export const PACK_FORMAT_VERSION = 1;

export type PackRole = 'encoder' | 'decoder';
export const PACK_ROLES: readonly PackRole[] = ['encoder', 'decoder'];

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

export interface PackManifest {
  readonly format: typeof PACK_FORMAT;
  readonly formatVersion: typeof PACK_FORMAT_VERSION;
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
  /** Tensor names of each graph; "image" and "ids" unless the manifest says otherwise. */
  readonly io: Readonly<Record<PackRole, PackTensorIo>>;
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

const REEXPORT = 'Re-export the pack with training/tokenizer/export_onnx.py or reinstall it.';

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
      'This folder does not hold a V2L model pack; point to a folder written by export_onnx.py.',
    );
  }
  if (json['formatVersion'] !== PACK_FORMAT_VERSION) {
    throw invalid(
      dir,
      MANIFEST_FILE,
      `has formatVersion ${shown(json['formatVersion'])}; this version of the studio reads ` +
        `formatVersion ${PACK_FORMAT_VERSION} only`,
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
  const files = {} as Record<PackRole, PackFile>;
  const io = {} as Record<PackRole, PackTensorIo>;
  for (const role of PACK_ROLES) {
    const entry = f.object(filesJson, role, 'files.');
    const where = `files.${role}.`;
    const rel = f.string(entry, 'path', where);
    // The manifest may come from anywhere: its paths must not reach outside the pack folder.
    if (path.isAbsolute(rel) || path.normalize(rel).split(/[\\/]/).includes('..')) {
      throw f.bad(`${where}path`, 'a path inside the pack folder', rel);
    }
    files[role] = {
      path: rel,
      sha256: f.string(entry, 'sha256', where, SHA256_HEX),
      bytes: f.integer(entry, 'bytes', where, 1),
    };
    const roleIo = isObject(ioJson[role]) ? ioJson[role] : {};
    const input = isObject(roleIo['input']) ? roleIo['input']['name'] : undefined;
    const output = isObject(roleIo['output']) ? roleIo['output']['name'] : undefined;
    const defaults = role === 'encoder' ? ['image', 'ids'] : ['ids', 'image'];
    io[role] = {
      input: typeof input === 'string' ? input : (defaults[0] ?? ''),
      output: typeof output === 'string' ? output : (defaults[1] ?? ''),
    };
  }
  return {
    format: PACK_FORMAT,
    formatVersion: PACK_FORMAT_VERSION,
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
    metrics: isObject(json['metrics']) ? json['metrics'] : {},
    raw: json,
  };
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
  const resolved = {} as Record<PackRole, string>;
  for (const role of PACK_ROLES) {
    const entry = manifest.files[role];
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
  return { dir: abs, manifest, files: resolved, hashMs: performance.now() - started };
}

/** `readManifest` then `verifyPackFiles`: the one call that makes a pack folder safe to load. */
export async function loadPack(dir: string): Promise<VerifiedPack> {
  return verifyPackFiles(dir, await readManifest(dir));
}
