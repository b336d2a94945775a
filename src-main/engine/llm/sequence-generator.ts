import { StudioError } from '../errors';
import { FIRST_IMAGE_TOKEN_ID } from '../tokenizer/vocabulary';
import type { Generation } from './backend';
import type { ControlledEvaluateInputItem, LlamaContextSequence, Token, TokenBias } from './runtime';

type GenerateNext = Extract<ControlledEvaluateInputItem, readonly unknown[]>[1]['generateNext'];
type WordStream = ReturnType<LlamaContextSequence['evaluateWithMetadata']>;

/**
 * Fixed-length greedy generation of image words on one context sequence, one prompt after another.
 *
 * One node-llama-cpp evaluation stream serves every prompt the sequence is given: the stream's sampler (llama.cpp's
 * greedy pick with <unk>, <s> and the byte pieces banned) is built once, not once per generated word, and each
 * next prompt's tokens are handed to the suspended stream in place of the word it would otherwise evaluate. The
 * sequence's KV cache is trimmed between prompts to the prefix the next prompt shares with what it holds, so that
 * prefix (the instruction, 22 of a reference prompt's 190 tokens) is not evaluated again. Each sequence has its own
 * KV cache in llama.cpp and the kept cells hold the same tokens at the same positions, so the words equal a fresh
 * sequence's; probabilities differ only by the rounding any batching brings (under 1e-5 on the bundled samples).
 * node-llama-cpp takes its context lock both to trim a sequence and to decode a batch, so a trim never overlaps
 * another sequence's evaluation.
 *
 * Each word's probability is node-llama-cpp's `confidence`, computed natively by sorting all 32,000 candidates
 * (3.21.1 gives no access to the logits): on a model as small as the bundled one that sort costs about as much as
 * evaluating 40 prompt tokens, and it is the main cost left beyond llama.cpp's own evaluation.
 */
export class SequenceGenerator {
  private stream: WordStream | undefined;

  constructor(
    private readonly sequence: LlamaContextSequence,
    private readonly nonWordBias: TokenBias,
  ) {}

  /**
   * Generates `steps` image words after `prompt`. With `reusePrefix` false the sequence is emptied first (the
   * authors' loop); otherwise only the part of the cache that differs from `prompt` is dropped. `evaluated` counts
   * the tokens the model actually evaluated: the prompt tokens not served from the cache, then each fed-back word.
   */
  async run(
    prompt: readonly number[],
    steps: number,
    reusePrefix: boolean,
  ): Promise<{ generation: Generation; evaluated: number }> {
    if (prompt.length === 0)
      throw new StudioError('INVALID_ARGUMENT', 'A prompt must contain at least one token.');
    const sequence = this.sequence;
    // At least the last prompt token is evaluated again: its logits give the first word.
    const keep = reusePrefix
      ? Math.min(sequence.compareContextTokens(prompt as Token[]).firstDifferentIndex, prompt.length - 1)
      : 0;
    if (keep < sequence.nextTokenIndex) {
      await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
    }
    let pending: number[] = prompt.slice(keep);
    let evaluated = 0;
    const ids: number[] = [];
    const confidences: number[] = [];
    while (ids.length < steps) {
      const { token, confidence } = await this.evaluate(pending);
      evaluated += pending.length;
      if (token >= FIRST_IMAGE_TOKEN_ID) {
        ids.push(token);
        confidences.push(confidence);
      } else {
        // </s> cannot be banned by a token bias, so it can win the fast pick. The step is then redone from the full
        // distribution (the slow, exact path): its last token is evaluated again and the best image word taken.
        await sequence.eraseContextTokenRanges([
          { start: sequence.nextTokenIndex - 1, end: sequence.nextTokenIndex },
        ]);
        const [id, probability] = bestWord(await this.probabilitiesAfter(pending.slice(-1)));
        ids.push(id);
        confidences.push(probability);
      }
      pending = ids.slice(-1);
    }
    return { generation: { ids, confidences }, evaluated };
  }

  /** Ends the stream (its sampler is freed); the sequence keeps its cache. */
  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    await stream?.return();
  }

  /**
   * Appends `tokens` to the sequence and returns the greedy next word with its probability. The stream is left
   * suspended after yielding the word, so the word itself is not evaluated until it is handed back (the next step)
   * or replaced by the next prompt's tokens.
   */
  private async evaluate(tokens: readonly number[]): Promise<{ token: number; confidence: number }> {
    let step: Awaited<ReturnType<WordStream['next']>>;
    if (this.stream) {
      step = await this.stream.next([...tokens] as Token[]);
    } else {
      this.stream = this.sequence.evaluateWithMetadata(
        [...tokens] as Token[],
        { confidence: true },
        // yieldEogToken: a </s> pick is returned (and then redone exactly) rather than ending the stream.
        { temperature: 0, tokenBias: this.nonWordBias, yieldEogToken: true },
      );
      step = await this.stream.next();
    }
    if (step.done === true) {
      this.stream = undefined;
      throw new StudioError('INTERNAL', 'The language model stopped generating.');
    }
    const { token, confidence } = step.value as { token: Token; confidence?: number };
    return { token, confidence: confidence ?? 0 };
  }

  /** The full next-token distribution after `tokens`, appended to the sequence. */
  private async probabilitiesAfter(tokens: readonly number[]): Promise<ReadonlyMap<number, number>> {
    const output = await evaluateLast(this.sequence, tokens, { probabilities: true });
    if (!output?.probabilities)
      throw new StudioError('INTERNAL', 'The language model returned no probabilities.');
    return output.probabilities;
  }
}

/** Evaluates `tokens` on `sequence` and asks for a next-token result after the last one. */
export async function evaluateLast(
  sequence: LlamaContextSequence,
  tokens: readonly number[],
  generateNext: GenerateNext,
) {
  const last = tokens.length - 1;
  const input = tokens.map((token, i) => (i === last ? [token, { generateNext }] : token));
  const output = await sequence.controlledEvaluate(input as ControlledEvaluateInputItem[]);
  return output[last]?.next;
}

/**
 * The most probable id that is an image word. The probabilities map is sorted from most to least likely, so
 * this is the argmax over ids >= FIRST_IMAGE_TOKEN_ID; it bans <s>, </s> and byte pieces without a token bias (EOS
 * cannot be banned that way in node-llama-cpp).
 */
export function bestWord(probabilities: ReadonlyMap<number, number>): [id: number, probability: number] {
  for (const [id, probability] of probabilities) if (id >= FIRST_IMAGE_TOKEN_ID) return [id, probability];
  throw new StudioError('INTERNAL', 'The language model gave no probability to any image word.');
}
