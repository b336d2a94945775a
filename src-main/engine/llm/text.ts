import llamaTokenizer from 'llama-tokenizer-js';
import { StudioError } from '../errors';
import { throwIfCancelled } from '../jobs';
import type { FrozenLm } from './frozen-lm';
import type { ControlledEvaluateInputItem, LlamaContextSequence, Token } from './runtime';

/**
 * Free text from the frozen LM, for the understanding half of the paper: the log-likelihood of candidate answers
 * (few-shot classification) and greedy generation that stops at the end of a line (captions, answers). Prompts are
 * raw LLaMA-2 ids, as everywhere in the engine; only generated text is turned back into a string.
 */

export const BOS_ID = 1;
export const EOS_ID = 2;

/**
 * A probability the model did not report is read as this floor, so a score stays a finite number that still
 * ranks below every reported one (llama.cpp leaves zero-probability tokens out of its list).
 */
const PROBABILITY_FLOOR = 1e-30;

export interface TextOptions {
  readonly signal?: AbortSignal;
}

export interface ContinuationScore {
  readonly ids: readonly number[];
  /** Natural-log probability of each id, given the prefix and the ids before it. */
  readonly logProbs: readonly number[];
  /** Sum of `logProbs`: the log-likelihood of the whole continuation after the prefix. */
  readonly logLikelihood: number;
}

export interface ScoreOptions extends TextOptions {
  /** Called after each continuation is scored. */
  readonly onScored?: (done: number, of: number) => void;
}

/**
 * The log-likelihood the model gives each continuation after `prefix`. The prefix is evaluated once; each
 * continuation then re-evaluates only the prefix's last token and its own ids, with the full next-token
 * distribution at each of them, so N labels cost one prompt plus N short evaluations.
 */
export async function scoreContinuations(
  lm: FrozenLm,
  prefix: readonly number[],
  continuations: readonly (readonly number[])[],
  options: ScoreOptions = {},
): Promise<ContinuationScore[]> {
  if (prefix.length === 0)
    throw new StudioError('INVALID_ARGUMENT', 'A prompt must hold at least one token.');
  if (continuations.length === 0 || continuations.some((c) => c.length === 0)) {
    throw new StudioError('INVALID_ARGUMENT', 'Every candidate answer must hold at least one token.');
  }
  const longest = Math.max(...continuations.map((c) => c.length));
  return lm.withSequence(async (sequence) => {
    assertFits(sequence, prefix.length + longest);
    const head = prefix.slice(0, -1);
    const last = prefix[prefix.length - 1] ?? BOS_ID;
    if (options.signal) throwIfCancelled(options.signal);
    if (head.length > 0) await sequence.evaluateWithoutGeneratingNewTokens(head as Token[]);
    const scores: ContinuationScore[] = [];
    for (const continuation of continuations) {
      if (options.signal) throwIfCancelled(options.signal);
      if (sequence.nextTokenIndex > head.length) {
        await sequence.eraseContextTokenRanges([{ start: head.length, end: sequence.nextTokenIndex }]);
      }
      const input = [last, ...continuation.slice(0, -1)].map(
        (token) => [token, { generateNext: { probabilities: true } }] as ControlledEvaluateInputItem,
      );
      const output = await sequence.controlledEvaluate(input);
      const logProbs = continuation.map((id, i) => {
        const probabilities = output[i]?.next.probabilities;
        if (!probabilities)
          throw new StudioError('INTERNAL', 'The language model returned no probabilities.');
        return Math.log(Math.max(probabilities.get(id as Token) ?? 0, PROBABILITY_FLOOR));
      });
      scores.push({
        ids: [...continuation],
        logProbs,
        logLikelihood: logProbs.reduce((a, b) => a + b, 0),
      });
      options.onScored?.(scores.length, continuations.length);
    }
    return scores;
  });
}

export type StopReason = 'newline' | 'eos' | 'separator' | 'limit';

export interface GeneratedText {
  /** The ids the model produced, the one that completed the stop included (a stop string may span several). */
  readonly ids: readonly number[];
  /** Their text, cut at the stop and trimmed. */
  readonly text: string;
  readonly stop: StopReason;
}

export interface GenerateTextOptions extends TextOptions {
  /** At most this many new tokens. */
  readonly maxTokens: number;
  /**
   * Strings that end the answer like a newline does: a few-shot prompt's next example marker ("###") is what a
   * model that learnt the format writes after the answer.
   */
  readonly stopStrings?: readonly string[];
  /** Called after each token with the text so far. */
  readonly onToken?: (text: string, tokens: number) => void;
}

/** The text of generated ids, as the tokenizer reads them back (no leading space from the word-start mark). */
export function decodeText(ids: readonly number[]): string {
  return ids.length === 0 ? '' : llamaTokenizer.decode([...ids], false, true);
}

/**
 * Greedy (temperature 0) continuation of `prompt`, one token at a time so that it can stop at the first newline,
 * end-of-sequence or stop string, and be cancelled between tokens.
 */
export async function generateText(
  lm: FrozenLm,
  prompt: readonly number[],
  options: GenerateTextOptions,
): Promise<GeneratedText> {
  const { maxTokens } = options;
  if (prompt.length === 0)
    throw new StudioError('INVALID_ARGUMENT', 'A prompt must hold at least one token.');
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The token limit must be a whole number >= 1, not ${maxTokens}.`,
    );
  }
  const stops = ['\n', ...(options.stopStrings ?? [])];
  return lm.withSequence(async (sequence) => {
    assertFits(sequence, prompt.length + maxTokens);
    const ids: number[] = [];
    let pending: readonly number[] = prompt;
    while (ids.length < maxTokens) {
      if (options.signal) throwIfCancelled(options.signal);
      const last = pending.length - 1;
      const input = pending.map((token, i) =>
        i === last ? [token, { generateNext: { token: true, options: { temperature: 0 } } }] : token,
      ) as ControlledEvaluateInputItem[];
      const output = await sequence.controlledEvaluate(input);
      const next = output[last]?.next.token;
      if (next === undefined || next === null || next === EOS_ID) return finish(ids, 'eos');
      ids.push(next);
      const text = decodeText(ids);
      const cut = firstStop(text, stops);
      if (cut) return { ids, text: text.slice(0, cut.at).trim(), stop: cut.reason };
      options.onToken?.(text.trim(), ids.length);
      pending = [next];
    }
    return finish(ids, 'limit');
  });
}

function finish(ids: readonly number[], stop: StopReason): GeneratedText {
  return { ids: [...ids], text: decodeText(ids).trim(), stop };
}

function firstStop(text: string, stops: readonly string[]): { at: number; reason: StopReason } | null {
  let best: { at: number; reason: StopReason } | null = null;
  for (const stop of stops) {
    const at = text.indexOf(stop);
    if (at >= 0 && (best === null || at < best.at))
      best = { at, reason: stop === '\n' ? 'newline' : 'separator' };
  }
  return best;
}

/** Refuses a prompt that would not fit in the sequence, naming both sizes, before anything is evaluated. */
function assertFits(sequence: LlamaContextSequence, tokens: number): void {
  if (tokens > sequence.contextSize) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The prompt and its answer need ${tokens} tokens, but the language model's context holds ` +
        `${sequence.contextSize}: use fewer examples, fewer repeats or a shorter answer.`,
    );
  }
}
