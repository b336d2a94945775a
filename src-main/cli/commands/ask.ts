import { parseArgs } from 'node:util';
import type { AskKind, AskRequest } from '../../../src-shared/contract/ask';
import { StudioError } from '../../engine/errors';
import { loadImageFile } from '../../engine/image/decode';
import { FrozenLm } from '../../engine/llm/frozen-lm';
import { defaultLmPath } from '../../engine/llm/models';
import { defaultPackDir } from '../../engine/tokenizer/packs';
import { V2LTokenizer } from '../../engine/tokenizer/tokenizer';
import { globalBranchOf, noGlobalBranchReason } from '../../engine/understand/global-branch';
import { runAsk } from '../../engine/understand/runner';
import { printResult, type Command } from '../command';

const KINDS: readonly AskKind[] = ['classify', 'caption', 'vqa'];

/** "LABEL=IMAGE": the label is everything before the last "=", so labels may contain "=" but paths may not. */
function parseExample(text: string): { label: string; file: string } {
  const at = text.lastIndexOf('=');
  const label = text.slice(0, at).trim();
  const file = text.slice(at + 1);
  if (at <= 0 || label === '' || file === '') {
    throw new StudioError('INVALID_ARGUMENT', `--example takes LABEL=IMAGE, not "${text}".`);
  }
  return { label, file };
}

function wholeNumber(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n))
    throw new StudioError('INVALID_ARGUMENT', `${name} takes a whole number, not "${value}".`);
  return n;
}

export const ask: Command = {
  name: 'ask',
  usage: 'ask classify|caption|vqa QUERY [--example LABEL=IMAGE …] [--question Q] [--json]',
  summary:
    'few-shot classification, a caption or an answer about an image, from its global words (global-branch pack)',
  help: `  classify QUERY --example LABEL=IMAGE …   which label's examples QUERY is most like (two or more labels),
                                          by the LM's log-likelihood of each label after the examples
  caption QUERY                            a caption
  vqa QUERY --question Q                   an answer to Q
  --repeats N       classify: how many extra times the example list is repeated (the authors' --repeat; default 0)
  --max-tokens N    caption/vqa: longest answer in tokens (default 32)
  --prompt          also print the prompt that was sent (as JSON)
The default pack has no global branch; convert the official V2L weights first (README, "Using the official
weights").`,
  run: async (args) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        example: { type: 'string', multiple: true },
        question: { type: 'string' },
        repeats: { type: 'string' },
        'max-tokens': { type: 'string' },
        prompt: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
    const [kind, queryFile] = positionals;
    if (!KINDS.includes(kind as AskKind) || !queryFile) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        'ask needs a kind (classify, caption or vqa) and a QUERY image, e.g. ' +
          'ask classify photo.jpg --example cat=cat1.jpg --example dog=dog1.jpg',
      );
    }
    const examples = (values.example ?? []).map(parseExample);
    const request: AskRequest = {
      kind: kind as AskKind,
      queryImageId: 1,
      examples: examples.map((e, i) => ({ imageId: i + 2, label: e.label })),
      repeats: wholeNumber(values.repeats, '--repeats', 0),
      maxTokens: wholeNumber(values['max-tokens'], '--max-tokens', 32),
      ...(values.question === undefined ? {} : { question: values.question }),
    };
    const query = (await loadImageFile(queryFile)).image;
    const exampleImages = [];
    for (const example of examples) exampleImages.push((await loadImageFile(example.file)).image);

    const tokenizer = await V2LTokenizer.load(await defaultPackDir());
    try {
      const branch = globalBranchOf(tokenizer);
      if (!branch) throw new StudioError('MODEL_INVALID', noGlobalBranchReason(tokenizer.info.name));
      const lm = await FrozenLm.load(defaultLmPath());
      try {
        const controller = new AbortController();
        process.once('SIGINT', () => controller.abort());
        const result = await runAsk(
          { branch, lm, tokenizerName: tokenizer.info.name },
          request,
          { query, examples: exampleImages },
          { signal: controller.signal, progress: () => undefined },
        );
        printResult(
          {
            kind: result.kind,
            answer: result.answer,
            ...(result.kind === 'classify'
              ? {
                  scores: result.scores
                    .map(
                      (s) =>
                        `${s.label}: ${s.logLikelihood.toFixed(3)} (${(s.probability * 100).toFixed(1)} %)`,
                    )
                    .join('; '),
                }
              : { stop: result.stop }),
            query_words: result.queryWords.map((w) => w.text).join(' | '),
            prompt_tokens: result.promptTokens,
            seconds: Number(result.seconds.toFixed(3)),
            tokenizer: result.tokenizer,
            lm: result.lm,
            ...(values.prompt === true ? { prompt: JSON.stringify(result.prompt) } : {}),
          },
          values.json === true,
        );
      } finally {
        await lm.dispose();
      }
    } finally {
      await tokenizer.dispose();
    }
  },
};
