import { createHash } from 'node:crypto';
import llamaTokenizer from 'llama-tokenizer-js';

/**
 * The LLaMA-2 vocabulary that doubles as the tokenizer's local codebook: token id N of an image grid is
 * LLaMA-2 piece N, so the language model reads image tokens as ordinary text tokens.
 */

export const VOCABULARY_NAME = 'llama2-32000';
export const VOCABULARY_SIZE = 32_000;
/** Ids 0-2 are <unk>, <s>, </s> and 3-258 the byte-fallback pieces <0x00>..<0xFF>: a pack never produces them. */
export const FIRST_IMAGE_TOKEN_ID = 259;
export const LAST_IMAGE_TOKEN_ID = VOCABULARY_SIZE - 1;

/** SentencePiece's word-start mark, the first character of pieces that begin a word ("▁the"). */
export const WORD_START = '\u2581';
/** How `tokenText` shows the word-start mark: an open box, which cannot be mistaken for a letter or an underscore. */
export const WORD_START_DISPLAY = '\u2423';

const BYTE_PIECE = /^<0x([0-9A-F]{2})>$/;

function checkedPieces(): readonly string[] {
  const list = llamaTokenizer.vocabById;
  if (list.length !== VOCABULARY_SIZE) {
    throw new Error(`llama-tokenizer-js holds ${list.length} pieces instead of ${VOCABULARY_SIZE}.`);
  }
  // A frozen copy: nothing may edit the package's own array behind the codebook's back.
  return Object.freeze(list.slice());
}

// The package decodes its vocabulary when imported, so building these now costs about a millisecond more.
const PIECES = checkedPieces();
const PIECES_SHA256 = createHash('sha256').update(PIECES.join('\n'), 'utf8').digest('hex');

/** The 32,000 pieces, index = token id, exactly as llama-tokenizer-js@1.2.2 holds them. */
export function vocabularyPieces(): readonly string[] {
  return PIECES;
}

/**
 * The vocabulary's identity as a pack manifest states it: hex SHA-256 of the UTF-8 bytes of all pieces, in id
 * order, joined by "\n". A pack trained against any other vocabulary would map ids to the wrong words.
 */
export function vocabularySha256(): string {
  return PIECES_SHA256;
}

/** Whether `id` is a token id a pack may produce for an image (259..31999). */
export function isImageTokenId(id: number): boolean {
  return Number.isInteger(id) && id >= FIRST_IMAGE_TOKEN_ID && id <= LAST_IMAGE_TOKEN_ID;
}

/** The raw piece for `id` ("▁the", "<0x0A>", "<s>"); throws RangeError outside 0..31999. */
export function tokenPiece(id: number): string {
  const piece = Number.isInteger(id) ? PIECES[id] : undefined;
  if (piece === undefined)
    throw new RangeError(`Token id ${id} is outside the vocabulary (0..${LAST_IMAGE_TOKEN_ID}).`);
  return piece;
}

function byteText(byte: number): string {
  switch (byte) {
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x20:
      return WORD_START_DISPLAY;
    default:
      // Printable ASCII reads as itself; control bytes and the halves of multi-byte UTF-8 characters as escapes.
      return byte > 0x20 && byte < 0x7f
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
}

/**
 * A piece as people should see it in the studio: every word-start mark becomes "␣" ("▁the" -> "␣the",
 * "▁▁" -> "␣␣"), byte pieces become the character or an escape ("<0x41>" -> "A", "<0x0A>" -> "\n" written as
 * backslash-n, "<0xE3>" -> "\xE3"), and the special pieces keep their names ("<s>").
 */
export function tokenText(id: number): string {
  const piece = tokenPiece(id);
  const byte = BYTE_PIECE.exec(piece);
  if (byte?.[1] !== undefined && id >= 3 && id < FIRST_IMAGE_TOKEN_ID)
    return byteText(Number.parseInt(byte[1], 16));
  return piece.replaceAll(WORD_START, WORD_START_DISPLAY);
}

/** `tokenText` for each id of a grid, in the same (row-major) order. */
export function tokenTexts(ids: ArrayLike<number>): string[] {
  return Array.from(ids, (id) => tokenText(id));
}
