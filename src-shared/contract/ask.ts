/**
 * Ask: the paper's understanding half (few-shot classification, captioning, visual question answering), in which
 * the frozen LM reads images through their global words. Registered in api.ts next to the rest of the contract.
 */
import { array, literal, none, number, object, optional, string, type Validator } from './validate';

export type AskKind = 'classify' | 'caption' | 'vqa';

/** An opened image (from disk, an upload or a sample) with its label, or its caption for captioning examples. */
export interface AskExample {
  readonly imageId: number;
  readonly label: string;
}

export interface AskRequest {
  readonly kind: AskKind;
  /** The image asked about. */
  readonly queryImageId: number;
  /** classify: labelled examples of at least two labels; caption: optional captioned examples; vqa: none. */
  readonly examples?: readonly AskExample[];
  /** classify: how many extra times the example list is repeated (the authors' --repeat). Defaults to 0. */
  readonly repeats?: number;
  /** vqa: the question. */
  readonly question?: string;
  /** caption, vqa: the most tokens to generate. Defaults to 32. */
  readonly maxTokens?: number;
}

/** One global word: its id in the global vocabulary and its text. */
export interface GlobalWord {
  readonly id: number;
  readonly text: string;
}

export interface LabelScore {
  readonly label: string;
  /** Natural-log likelihood of the label's tokens after the prompt. */
  readonly logLikelihood: number;
  /** The same per token, so labels of different lengths can be compared by eye. */
  readonly meanLogProb: number;
  /** exp(logLikelihood), normalised over the labels: the model's choice among them. */
  readonly probability: number;
  readonly tokens: number;
}

export interface AskResult {
  readonly kind: AskKind;
  /** The chosen label (classify) or the generated text (caption, vqa). */
  readonly answer: string;
  /** classify: every label's score, best first. */
  readonly scores: readonly LabelScore[];
  /** caption, vqa: why generation stopped. */
  readonly stop: 'newline' | 'eos' | 'separator' | 'limit' | null;
  /** The query image's global words, in rank order. */
  readonly queryWords: readonly GlobalWord[];
  /** The prompt as text, for inspection; the model read it as `promptTokens` LLaMA-2 ids. */
  readonly prompt: string;
  readonly promptTokens: number;
  readonly seconds: number;
  readonly tokenizer: string;
  readonly lm: string;
}

/** Whether Ask can run with the models in use; when not, why and what to install. */
export interface AskAvailability {
  readonly available: boolean;
  readonly reason: string | null;
  readonly tokenizer: string | null;
}

export type AskEvent =
  | { readonly type: 'ask.text'; readonly jobId: string; readonly text: string; readonly tokens: number }
  | { readonly type: 'ask.result'; readonly jobId: string; readonly result: AskResult };

export interface AskApi {
  askAvailability(): Promise<AskAvailability>;
  /** Starts an Ask job; progress arrives as job events, generated text as ask.text, the answer as ask.result. */
  startAsk(input: AskRequest): Promise<{ jobId: string }>;
}

export const MAX_ASK_EXAMPLES = 50;
export const MAX_ASK_TOKENS = 128;

export const askRequestValidator: Validator<AskRequest> = object({
  kind: literal('classify', 'caption', 'vqa'),
  queryImageId: number({ integer: true, min: 1 }),
  examples: optional(
    array(
      object({ imageId: number({ integer: true, min: 1 }), label: string({ minLength: 1, maxLength: 300 }) }),
      { maxLength: MAX_ASK_EXAMPLES },
    ),
  ),
  repeats: optional(number({ integer: true, min: 0, max: 10 })),
  question: optional(string({ minLength: 1, maxLength: 300 })),
  maxTokens: optional(number({ integer: true, min: 1, max: MAX_ASK_TOKENS })),
});

export const ASK_VALIDATORS: {
  readonly askAvailability: Validator<undefined>;
  readonly startAsk: Validator<AskRequest>;
} = {
  askAvailability: none,
  startAsk: askRequestValidator,
};
