import llamaTokenizer from 'llama-tokenizer-js';
import { StudioError } from '../errors';
import { throwIfCancelled } from '../jobs';
import { FIRST_IMAGE_TOKEN_ID } from '../tokenizer/vocabulary';
import type { Generation, GenerateOptions, LanguageModelBackend } from './backend';

export interface RemoteLmOptions {
  /** Sent as `Authorization: Bearer …` (llama-server's --api-key). */
  readonly apiKey?: string;
  /** Per request, in milliseconds. Default 120 s: a prompt of a big model on a slow server takes a while. */
  readonly timeoutMs?: number;
  /** Extra tries of a request that failed on the network or with a 5xx (a completion is pure: repeating it is safe). */
  readonly retries?: number;
  /** Requests in flight at once; match the server's parallel slots (-np). Default: the server's slot count. */
  readonly parallel?: number;
}

/** Lines whose ids must come out of the server's tokenizer exactly as out of LLaMA-2's (llama-tokenizer-js). */
const PROBE_LINES = [
  'hello world',
  'The quick brown fox jumps over the lazy dog, twice.',
  'Restoring photographs with a frozen language model: 16x16 words per image.',
  'Ünïcödé, emoji 🙂 and numbers 3.14159 / 2,718 — all in one line.',
  '   leading spaces, tabs\tand a trailing newline\n',
];

/** Never produced by a restoration: <unk>, <s>, </s> and the 256 byte pieces (ids 0-258). */
const BANNED = Array.from({ length: FIRST_IMAGE_TOKEN_ID }, (_, id) => [id, false] as const);

interface CompletionAnswer {
  tokens?: number[];
  completion_probabilities?: { id?: number; prob?: number; top_probs?: { id: number; prob: number }[] }[];
  tokens_evaluated?: number;
  timings?: { prompt_n?: number; predicted_n?: number };
}

/**
 * A language model served by llama.cpp's own `llama-server`, asked over its HTTP API with token-id prompts, greedy,
 * with the non-word ids banned exactly as the in-process backend bans them. Connecting checks that the server's
 * vocabulary is LLaMA-2's; a restoration through it predicts the same words as the same GGUF loaded locally.
 */
export class RemoteLm implements LanguageModelBackend {
  private disposed = false;

  private constructor(
    readonly url: string,
    readonly name: string,
    readonly sequenceCount: number,
    private readonly options: RemoteLmOptions,
  ) {}

  get device(): string {
    return `llama-server at ${this.url}`;
  }

  static async connect(url: string, options: RemoteLmOptions = {}): Promise<RemoteLm> {
    let base: URL;
    try {
      base = new URL(url);
    } catch {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `"${url}" is not a URL: give the server's address, e.g. http://127.0.0.1:8080.`,
      );
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `The server address must start with http:// or https://, not ${base.protocol}`,
      );
    }
    const origin = base.href.replace(/\/+$/, '');
    const probe = new RemoteLm(origin, origin, 1, options);
    const models = (await probe.call('GET', '/v1/models')) as {
      data?: { id?: string; meta?: { n_vocab?: number; vocab_type?: number } | null }[];
    };
    const model = models.data?.[0];
    if (!model?.meta) {
      throw new StudioError(
        'MODEL_INVALID',
        `The server at ${origin} has no model loaded yet: wait for it to finish loading and try again.`,
      );
    }
    if (model.meta.n_vocab !== 32000) {
      throw new StudioError(
        'MODEL_INVALID',
        `The server at ${origin} serves a model with a ${model.meta.n_vocab ?? 'unknown'}-token vocabulary, not LLaMA-2's 32,000: ` +
          'image words would be misread. Start llama-server with a LLaMA-2-family GGUF.',
      );
    }
    for (const line of PROBE_LINES) {
      const answer = (await probe.call('POST', '/tokenize', { content: line, add_special: false })) as {
        tokens?: number[];
      };
      const expected = llamaTokenizer.encode(line, false, true);
      const got = answer.tokens ?? [];
      if (got.length !== expected.length || got.some((id, i) => id !== expected[i])) {
        throw new StudioError(
          'MODEL_INVALID',
          `The server at ${origin} does not use LLaMA-2's vocabulary: it reads ${JSON.stringify(line.trim())} as ` +
            `[${got.slice(0, 8).join(', ')}${got.length > 8 ? ', …' : ''}], LLaMA-2 as [${expected.slice(0, 8).join(', ')}${expected.length > 8 ? ', …' : ''}]. ` +
            'Start llama-server with a LLaMA-2-family GGUF.',
        );
      }
    }
    const props = (await probe.call('GET', '/props')) as { total_slots?: number };
    const slots = Math.max(1, options.parallel ?? props.total_slots ?? 1);
    const name = (model.id ?? origin).split(/[\\/]/).pop() ?? origin;
    return new RemoteLm(origin, name, slots, options);
  }

  async generate(
    prompts: readonly (readonly number[])[],
    steps: number,
    options: GenerateOptions = {},
  ): Promise<Generation[]> {
    if (this.disposed) throw new StudioError('INTERNAL', 'The remote language model was already closed.');
    const results = new Array<Generation>(prompts.length);
    const parallel = options.naive === true ? 1 : Math.min(this.sequenceCount, Math.max(1, prompts.length));
    let next = 0;
    const worker = async () => {
      while (next < prompts.length) {
        const index = next++;
        if (options.signal) throwIfCancelled(options.signal);
        const prompt = prompts[index] ?? [];
        if (prompt.length === 0)
          throw new StudioError('INVALID_ARGUMENT', 'A prompt must contain at least one token.');
        const answer = (await this.call(
          'POST',
          '/completion',
          {
            prompt: [...prompt],
            n_predict: steps,
            temperature: 0,
            logit_bias: BANNED,
            n_probs: 1,
            post_sampling_probs: true,
            return_tokens: true,
            cache_prompt: options.naive !== true,
            stream: false,
          },
          options.signal,
        )) as CompletionAnswer;
        const ids = answer.tokens ?? [];
        if (ids.length !== steps || ids.some((id) => id < FIRST_IMAGE_TOKEN_ID)) {
          throw new StudioError(
            'INTERNAL',
            `The server returned ${ids.length} ids (${ids.join(', ')}) for a ${steps}-word prediction; ` +
              'it may have stopped early: use a llama-server that honours logit_bias and n_predict.',
          );
        }
        const confidences = ids.map((id, i) => {
          const step = answer.completion_probabilities?.[i];
          return step?.top_probs?.find((p) => p.id === id)?.prob ?? step?.prob ?? 0;
        });
        const generation = { ids, confidences };
        results[index] = generation;
        const evaluated =
          (answer.timings?.prompt_n ?? prompt.length) + (answer.timings?.predicted_n ?? steps);
        options.onPromptDone?.(index, evaluated, generation);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return results;
  }

  /** One JSON request, with the timeout, the retries and errors that name the cause and the fix. */
  private async call(
    method: 'GET' | 'POST',
    route: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const retries = this.options.retries ?? 2;
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (signal) throwIfCancelled(signal);
      const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 120_000);
      let response: Response;
      try {
        response = await fetch(`${this.url}${route}`, {
          method,
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        if (signal) throwIfCancelled(signal);
        lastError = timeout.aborted
          ? new StudioError(
              'UNREACHABLE',
              `The server at ${this.url} did not answer ${route} within ${Math.round((this.options.timeoutMs ?? 120_000) / 1000)} s.`,
            )
          : new StudioError(
              'UNREACHABLE',
              `Cannot reach the server at ${this.url}: is llama-server running there? (${error instanceof Error ? error.message : String(error)})`,
            );
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new StudioError(
          'UNAUTHORIZED',
          `The server at ${this.url} refused the API key (HTTP ${response.status}): check the key in Settings.`,
        );
      }
      if (response.status >= 500) {
        lastError = new StudioError(
          'INTERNAL',
          `The server at ${this.url} failed on ${route} (HTTP ${response.status}).`,
        );
        continue;
      }
      if (!response.ok) {
        throw new StudioError(
          'INVALID_ARGUMENT',
          `The server at ${this.url} refused ${route} (HTTP ${response.status}): is it llama.cpp's llama-server?`,
        );
      }
      try {
        return await response.json();
      } catch {
        throw new StudioError(
          'INTERNAL',
          `The server at ${this.url} answered ${route} with something that is not JSON: is it llama.cpp's llama-server?`,
        );
      }
    }
    throw lastError instanceof Error ? lastError : new StudioError('INTERNAL', String(lastError));
  }

  dispose(): Promise<void> {
    this.disposed = true;
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
