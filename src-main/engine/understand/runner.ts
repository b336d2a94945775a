import type { AskRequest, AskResult, GlobalWord } from '../../../src-shared/contract/ask';
import { StudioError } from '../errors';
import type { RgbImage } from '../image/types';
import { view128 } from '../image/view';
import type { FrozenLm } from '../llm/frozen-lm';
import { generateText, scoreContinuations } from '../llm/text';
import type { GlobalBranch } from './global-branch';
import { labelScores } from './scores';
import { captionPrompt, classificationPrompt, globalWordsText, vqaPrompt, type BuiltPrompt } from './prompts';

export interface AskModels {
  readonly branch: GlobalBranch;
  readonly lm: FrozenLm;
  readonly tokenizerName: string;
}

export interface AskImages {
  readonly query: RgbImage;
  /** In the request's order, one per example. */
  readonly examples: readonly RgbImage[];
}

export interface AskContext {
  readonly signal: AbortSignal;
  progress(step: number, of: number, message: string): void;
  /** Generated text so far (caption, vqa). */
  onText?(text: string, tokens: number): void;
}

export const DEFAULT_MAX_TOKENS = 32;
/** After an answer, a model that learnt the few-shot format starts the next example: that ends the answer. */
const EXAMPLE_MARK = '###';

/**
 * One understanding request: every image becomes its global words (at the paper's 128 px view), the words go into
 * the prompt of the request's kind, and the frozen LM answers: by scoring each label's tokens (classify) or by
 * greedy generation up to the end of the line (caption, vqa).
 */
export async function runAsk(
  models: AskModels,
  request: AskRequest,
  images: AskImages,
  ctx: AskContext,
): Promise<AskResult> {
  const started = performance.now();
  const examples = request.examples ?? [];
  if (images.examples.length !== examples.length) {
    throw new StudioError(
      'INTERNAL',
      `${examples.length} examples came with ${images.examples.length} images.`,
    );
  }
  if (request.kind === 'vqa' && !request.question) {
    throw new StudioError('INVALID_ARGUMENT', 'A question is needed: type what to ask about the image.');
  }
  ctx.progress(0, 1, 'Reading the images');
  const views = [images.query, ...images.examples].map((image) => view128(image));
  const ids = await models.branch.encode(views);
  const words = ids.map((list) => list.map((id): GlobalWord => ({ id, text: models.branch.text(id) })));
  const texts = words.map((list) => globalWordsText(list.map((w) => w.text)));
  const queryText = texts[0] ?? '';
  const labelled = examples.map((example, i) => ({ label: example.label, words: texts[i + 1] ?? '' }));
  const common = { queryWords: words[0] ?? [], tokenizer: models.tokenizerName, lm: models.lm.name };
  const seconds = () => (performance.now() - started) / 1000;

  if (request.kind === 'classify') {
    const prompt = classificationPrompt(labelled, queryText, request.repeats ?? 0);
    ctx.progress(0, prompt.labels.length, 'Scoring the labels');
    const scored = await scoreContinuations(models.lm, prompt.ids, prompt.labelIds, {
      signal: ctx.signal,
      onScored: (done, of) => ctx.progress(done, of, 'Scoring the labels'),
    });
    const scores = labelScores(
      prompt.labels,
      scored.map((s) => s.logProbs),
    );
    return {
      kind: 'classify',
      answer: scores[0]?.label ?? '',
      scores,
      stop: null,
      ...promptFields(prompt),
      seconds: seconds(),
      ...common,
    };
  }

  const prompt =
    request.kind === 'caption'
      ? captionPrompt(labelled, queryText)
      : vqaPrompt(queryText, request.question ?? '');
  const maxTokens = request.maxTokens ?? DEFAULT_MAX_TOKENS;
  ctx.progress(0, maxTokens, 'Writing the answer');
  const generated = await generateText(models.lm, prompt.ids, {
    maxTokens,
    signal: ctx.signal,
    ...(request.kind === 'caption' ? { stopStrings: [EXAMPLE_MARK] } : {}),
    onToken: (text, tokens) => {
      ctx.onText?.(text, tokens);
      ctx.progress(tokens, maxTokens, 'Writing the answer');
    },
  });
  return {
    kind: request.kind,
    answer: generated.text,
    scores: [],
    stop: generated.stop,
    ...promptFields(prompt),
    seconds: seconds(),
    ...common,
  };
}

function promptFields(prompt: BuiltPrompt): { prompt: string; promptTokens: number } {
  return { prompt: prompt.text, promptTokens: prompt.ids.length };
}
