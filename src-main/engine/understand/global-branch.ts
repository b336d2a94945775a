import type { RgbImage } from '../image/types';
import type { V2LTokenizer } from '../tokenizer/tokenizer';

/**
 * What understanding needs from a pack's global branch (the paper's CLIP global tokens: the top-k entries of an
 * 11,908-entry vocabulary of uni/bi/trigrams for the whole image). Restoration reads the global ids that
 * `encode` returns with each grid and hands them back to `decode`.
 */
export interface GlobalBranch {
  /** Global tokens per image (21 in the published runs). */
  readonly count: number;
  /** Each 128x128 view's global ids (indices into the global vocabulary), most similar first. */
  encode(views: readonly RgbImage[]): Promise<number[][]>;
  /** The global vocabulary's text of one id. */
  text(id: number): string;
}

/** The pack's global branch, or null when the pack has none (then everything runs on local words alone). */
export function globalBranchOf(tokenizer: V2LTokenizer): GlobalBranch | null {
  const info = tokenizer.info.global;
  if (!info) return null;
  return {
    count: info.tokens,
    encode: async (views) => (await tokenizer.encodeGlobal(views)).map((ids) => Array.from(ids)),
    text: (id) => tokenizer.globalText(id),
  };
}

/** Why understanding is unavailable with a pack that has no global branch, and what to install instead. */
export function noGlobalBranchReason(packName: string): string {
  return (
    `The tokenizer pack "${packName}" has no global branch: Ask reads an image through its 21 global words ` +
    '(the paper\'s CLIP tokens). Install a pack converted from the official V2L weights (README, "Using the ' +
    'official weights") and select it with V2L_PACK.'
  );
}
