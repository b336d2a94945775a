import { describe, expect, it } from 'vitest';

import {
  FIRST_IMAGE_TOKEN_ID,
  isImageTokenId,
  LAST_IMAGE_TOKEN_ID,
  tokenPiece,
  tokenText,
  tokenTexts,
  vocabularyPieces,
  vocabularySha256,
} from '../../src-main/engine/tokenizer/vocabulary';

describe('LLaMA-2 vocabulary', () => {
  it('holds the 32,000 pieces of llama-tokenizer-js@1.2.2 with the hash packs are checked against', () => {
    const pieces = vocabularyPieces();
    expect(pieces.length).toBe(32_000);
    expect(pieces.slice(0, 4)).toEqual(['<unk>', '<s>', '</s>', '<0x00>']);
    expect(pieces[258]).toBe('<0xFF>');
    // "hello world" tokenises to [22172, 3186] with this vocabulary.
    expect(pieces[22172]).toBe('\u2581hello');
    expect(pieces[3186]).toBe('\u2581world');
    expect(vocabularySha256()).toBe('0f97b4337921e6e7e9b4620fc73338ee570aecd3c16038bc23870a887e995045');
    expect(Object.isFrozen(pieces)).toBe(true);
  });

  it('starts image tokens after the special and byte pieces', () => {
    expect(FIRST_IMAGE_TOKEN_ID).toBe(259);
    expect(LAST_IMAGE_TOKEN_ID).toBe(31_999);
    expect(tokenPiece(259)).toBe('\u2581\u2581');
    expect([258, 259, 31_999, 32_000, 300.5].map(isImageTokenId)).toEqual([false, true, true, false, false]);
  });

  it('shows word starts as a visible marker and byte pieces as characters or escapes', () => {
    expect(tokenText(22172)).toBe('\u2423hello');
    expect(tokenText(259)).toBe('\u2423\u2423');
    expect(tokenText(29871)).toBe('\u2423');
    expect(tokenText(3 + 0x41)).toBe('A');
    expect(tokenText(3 + 0x0a)).toBe('\\n');
    expect(tokenText(3 + 0x09)).toBe('\\t');
    expect(tokenText(3 + 0x20)).toBe('\u2423');
    expect(tokenText(3 + 0x00)).toBe('\\x00');
    expect(tokenText(3 + 0xe3)).toBe('\\xE3');
    expect(tokenText(1)).toBe('<s>');
    expect(tokenTexts(Int32Array.from([22172, 3186]))).toEqual(['\u2423hello', '\u2423world']);
  });

  it('refuses ids outside the vocabulary', () => {
    expect(() => tokenText(32_000)).toThrow(RangeError);
    expect(() => tokenText(-1)).toThrow(RangeError);
    expect(() => tokenText(1.5)).toThrow(RangeError);
  });
});
