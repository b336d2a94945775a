import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../export/files';
import { loadImageFile } from '../image/decode';
import type { RgbImage } from '../image/types';
import { view128 } from '../image/view';
import { usesBank, type BankEntry } from '../protocol/blind';
import type { ProtocolName } from '../protocol/types';
import type { V2LTokenizer } from '../tokenizer/tokenizer';
import { bankCorruption, corruptView, type Corruption } from './corruption';

/** The file, inside a model pack, that holds its blind-protocol banks for the common degradations. */
export const BANK_FILE = 'blind-bank.json';
const BANK_FORMAT = 1;

/** Mirror image, to double the bank's photos without adding files. */
function flipHorizontal(image: RgbImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const from = (y * image.width + x) * 3;
      const to = (y * image.width + (image.width - 1 - x)) * 3;
      data[to] = image.data[from] ?? 0;
      data[to + 1] = image.data[from + 1] ?? 0;
      data[to + 2] = image.data[from + 2] ?? 0;
    }
  }
  return { width: image.width, height: image.height, data };
}

/** A degradation's identity, independent of key order, so equal corruptions find the same stored bank. */
export function corruptionKey(corruption: Corruption): string {
  const entries = Object.entries(corruption).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(Object.fromEntries(entries));
}

interface StoredBank {
  readonly format: number;
  /** The encoder the words came from: a re-exported pack makes the stored words stale. */
  readonly encoderSha256: string;
  /** The bank photos, by content, in order. */
  readonly samples: readonly { readonly name: string; readonly sha256: string }[];
  /** corruptionKey -> entries, ids as base64 little-endian uint16 (every LLaMA-2 id fits). */
  readonly banks: Readonly<Record<string, readonly { readonly clean: string; readonly degraded: string }[]>>;
}

function packIds(ids: readonly number[]): string {
  return Buffer.from(new Uint16Array(ids).buffer).toString('base64');
}

function unpackIds(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  return Array.from(new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2));
}

async function sampleHashes(samplePaths: readonly string[]) {
  return Promise.all(
    samplePaths.map(async (file) => ({
      name: path.basename(file),
      sha256: createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    })),
  );
}

/** The stored bank of `tokenizer`'s pack for `corruption`, or null when absent or made from other inputs. */
export async function readStoredBank(
  tokenizer: V2LTokenizer,
  samplePaths: readonly string[],
  corruption: Corruption,
): Promise<BankEntry[] | null> {
  let stored: StoredBank;
  try {
    stored = JSON.parse(await readFile(path.join(tokenizer.info.dir, BANK_FILE), 'utf8')) as StoredBank;
  } catch {
    return null;
  }
  const entries = stored.banks[corruptionKey(corruption)];
  if (
    stored.format !== BANK_FORMAT ||
    stored.encoderSha256 !== tokenizer.manifest.files.encoder.sha256 ||
    !entries
  ) {
    return null;
  }
  const hashes = await sampleHashes(samplePaths);
  if (JSON.stringify(hashes) !== JSON.stringify(stored.samples)) return null;
  return entries.map((e) => ({ clean: unpackIds(e.clean), degraded: unpackIds(e.degraded) }));
}

/** Tokenises the bank photos (and their mirror images), clean and degraded by `corruption`. */
export async function computeBank(
  tokenizer: V2LTokenizer,
  samplePaths: readonly string[],
  corruption: Corruption,
): Promise<BankEntry[]> {
  const views: RgbImage[] = [];
  for (const file of samplePaths) {
    const view = view128((await loadImageFile(file)).image);
    views.push(view, flipHorizontal(view));
  }
  const degraded = views.map((v) => {
    const { image, input } = corruptView(v, corruption);
    return input ?? image;
  });
  const grids = await tokenizer.encode([...views, ...degraded]);
  return views.map((_, i) => ({
    clean: Array.from(grids[i]?.ids ?? []),
    degraded: Array.from(grids[views.length + i]?.ids ?? []),
  }));
}

/**
 * Writes the pack's stored banks for `corruptions` (those the studio and the evaluations use by default), so
 * blind runs of those degradations start without tokenising the bank photos.
 */
export async function writeStoredBank(
  tokenizer: V2LTokenizer,
  samplePaths: readonly string[],
  corruptions: readonly Corruption[],
): Promise<string> {
  const banks: Record<string, { clean: string; degraded: string }[]> = {};
  for (const corruption of corruptions) {
    const entries = await computeBank(tokenizer, samplePaths, corruption);
    banks[corruptionKey(corruption)] = entries.map((e) => ({
      clean: packIds(e.clean),
      degraded: packIds(e.degraded),
    }));
  }
  const stored: StoredBank = {
    format: BANK_FORMAT,
    encoderSha256: tokenizer.manifest.files.encoder.sha256,
    samples: await sampleHashes(samplePaths),
    banks,
  };
  const file = path.join(tokenizer.info.dir, BANK_FILE);
  await writeFileAtomic(file, new TextEncoder().encode(`${JSON.stringify(stored, null, 1)}\n`), true);
  return file;
}

const cache = new Map<string, Promise<BankEntry[]>>();

/**
 * The blind protocol's bank for deblur/shift/rotation: the bundled sample photos (and their mirror images) at
 * the paper's view, clean and degraded the same way as the photo being restored. Read from the pack's stored
 * banks when it has this degradation for these photos and this encoder; otherwise tokenised here. Either way
 * kept for the life of the process.
 */
export function degradationBank(
  tokenizer: V2LTokenizer,
  samplePaths: readonly string[],
  corruption: Corruption,
): Promise<BankEntry[]> {
  // Hashed: a brushed blur region makes the description as large as its mask.
  const key = createHash('sha256')
    .update(`${tokenizer.info.dir}\n${corruptionKey(corruption)}\n${samplePaths.join('\n')}`)
    .digest('hex');
  let bank = cache.get(key);
  if (!bank) {
    bank = (async () =>
      (await readStoredBank(tokenizer, samplePaths, corruption)) ??
      computeBank(tokenizer, samplePaths, corruption))();
    cache.set(key, bank);
    bank.catch(() => cache.delete(key));
  }
  return bank;
}

/** The bank a restoration needs: the degradation bank for blind deblur/shift/rotation, nothing otherwise. */
export async function bankFor(
  tokenizer: V2LTokenizer,
  samplePaths: readonly string[],
  protocol: ProtocolName,
  corruption: Corruption,
): Promise<BankEntry[] | undefined> {
  if (!usesBank(corruption.task, protocol)) return undefined;
  return degradationBank(tokenizer, samplePaths, bankCorruption(corruption));
}
