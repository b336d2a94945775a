import type { AskAvailability, AskEvent, AskRequest, AskResult } from '../../../src-shared/contract/ask';
import type { StudioEvent } from '../../../src-shared/contract/api';
import { StudioError } from '../errors';
import type { RgbImage } from '../image/types';
import { FrozenLm } from '../llm/frozen-lm';
import type { JobContext, JobRunner } from '../jobs';
import type { ModelSet } from '../restore/models';
import { globalBranchOf, noGlobalBranchReason } from './global-branch';
import { runAsk } from './runner';

export interface AskServiceDeps {
  readonly models: ModelSet;
  readonly jobs: JobRunner;
  readonly emit: (event: StudioEvent) => void;
  /** Full-resolution pixels of an opened (or recent) image. */
  readonly pixels: (imageId: number) => Promise<RgbImage>;
}

/** An event of the union without one key, kept per member. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The engine's Ask methods: availability with the pack in use, and Ask jobs over the shared models. */
export class AskService {
  constructor(private readonly deps: AskServiceDeps) {}

  async availability(): Promise<AskAvailability> {
    let name: string;
    try {
      const tokenizer = await this.deps.models.tokenizer();
      name = tokenizer.info.name;
      if (globalBranchOf(tokenizer)) return { available: true, reason: null, tokenizer: name };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        available: false,
        reason: `The tokenizer pack could not be loaded: ${message}`,
        tokenizer: null,
      };
    }
    return { available: false, reason: noGlobalBranchReason(name), tokenizer: name };
  }

  private running = 0;

  /** Whether an Ask job holds the language model (restorations must wait: they share its sequences). */
  get busy(): boolean {
    return this.running > 0;
  }

  async start(request: AskRequest): Promise<{ jobId: string }> {
    const availability = await this.availability();
    if (!availability.available)
      throw new StudioError('MODEL_INVALID', availability.reason ?? 'Ask is unavailable.');
    // Restorations and Ask share the language model's sequences; two jobs on one sequence would mix their caches.
    if (this.deps.jobs.activeCount > 0) {
      throw new StudioError(
        'BUSY',
        'Another job is using the language model: wait for it to finish or cancel it, then ask again.',
      );
    }
    // Images are read now, so a missing one is reported at once rather than as a failed job.
    const query = await this.deps.pixels(request.queryImageId);
    const examples: RgbImage[] = [];
    for (const example of request.examples ?? []) examples.push(await this.deps.pixels(example.imageId));
    const { emit, models } = this.deps;
    this.running++;
    const { jobId, result } = this.deps.jobs.start(
      'ask',
      async (ctx) => {
        // Released inside the job, so the model is free by the time its done/failed event goes out, also when
        // the job is cancelled while it waits its turn.
        try {
          // Under the models' lock, like restorations and a cost estimate's speed calibration: two users of the
          // language model's sequences at once would mix their caches.
          return await models.lock.run(
            ctx.signal,
            () => ctx.progress(0, 1, 'Queued: waiting for the language model'),
            () => this.answer(request, query, examples, ctx, (event) => emit({ ...event, jobId })),
          );
        } finally {
          this.running--;
        }
      },
      request.queryImageId,
    );
    // The outcome reaches the renderer as events; nothing else awaits this promise.
    result.catch(() => undefined);
    return { jobId };
  }

  private async answer(
    request: AskRequest,
    query: RgbImage,
    examples: RgbImage[],
    ctx: JobContext,
    emit: (event: DistributiveOmit<AskEvent, 'jobId'>) => void,
  ): Promise<AskResult> {
    const { models } = this.deps;
    ctx.progress(0, 1, 'Loading models');
    const tokenizer = await models.tokenizer();
    const branch = globalBranchOf(tokenizer);
    if (!branch) throw new StudioError('MODEL_INVALID', noGlobalBranchReason(tokenizer.info.name));
    const lm = await models.lm();
    // Ask scores whole label texts, which needs the full distribution at every position: a local model only.
    if (!(lm instanceof FrozenLm)) {
      throw new StudioError(
        'MODEL_INVALID',
        'Ask needs the language model loaded here; restorations run on the llama-server in Settings. ' +
          'Clear the server address in Settings → Language model to use Ask.',
      );
    }
    const answer = await runAsk(
      { branch, lm, tokenizerName: tokenizer.info.name },
      request,
      { query, examples },
      {
        signal: ctx.signal,
        progress: (step, of, message) => ctx.progress(step, of, message),
        onText: (text, tokens) => emit({ type: 'ask.text', text, tokens }),
      },
    );
    emit({ type: 'ask.result', result: answer });
    return answer;
  }
}
