import llamaTokenizer from 'llama-tokenizer-js';

/**
 * The text around the image words in every restoration prompt, as LLaMA-2 ids, tokenised the way the authors'
 * SentencePiece call did (dummy prefix space on, BOS only on the instruction). Image words are spliced between
 * these pieces as raw ids, never through text.
 */
export interface Framing {
  /** BOS + "Learning a new language and predict the {step} tokens following the examples.\n" */
  readonly instruction: readonly number[];
  /** "###\nInput: < " */
  readonly input: readonly number[];
  /** " >\nOutput: " */
  readonly output: readonly number[];
}

const cache = new Map<number, Framing>();

export function framing(step: number): Framing {
  let value = cache.get(step);
  if (!value) {
    value = Object.freeze({
      instruction: llamaTokenizer.encode(
        `Learning a new language and predict the ${step} tokens following the examples.\n`,
        true,
        true,
      ),
      input: llamaTokenizer.encode('###\nInput: < ', false, true),
      output: llamaTokenizer.encode(' >\nOutput: ', false, true),
    });
    cache.set(step, value);
  }
  return value;
}

/** One in-context example: "###\nInput: < " + input ids + " >\nOutput: " + output ids. */
export function exampleIds(frame: Framing, input: readonly number[], output: readonly number[]): number[] {
  return [...frame.input, ...input, ...frame.output, ...output];
}

/** The query: like an example with the output left for the model to write. */
export function queryIds(frame: Framing, input: readonly number[]): number[] {
  return [...frame.input, ...input, ...frame.output];
}
