import type { Settings } from '../../../src-shared/contract/api';
import { FifoLock } from '../fifo-lock';
import type { LanguageModelBackend } from '../llm/backend';
import { FrozenLm } from '../llm/frozen-lm';
import { RemoteLm } from '../llm/remote-lm';
import { defaultLmPath } from '../llm/models';
import { chosenPackDir } from '../tokenizer/packs';
import { V2LTokenizer } from '../tokenizer/tokenizer';

/**
 * The models a restoration needs, loaded on first use and kept: creating ONNX sessions and loading a GGUF take
 * seconds, a restoration should not pay that each time. A failed load is not cached, so fixing the cause and
 * retrying works without restarting. Each model remembers the settings it was loaded with: when those change
 * (Settings saved while a job runs), the next use, which is the next job's, unloads it and loads the new choice,
 * so a change is never lost and never swaps a model under a running job.
 */
export class ModelSet implements AsyncDisposable {
  private tokenizerPromise: Promise<V2LTokenizer> | null = null;
  private tokenizerKey = '';
  private lmPromise: Promise<LanguageModelBackend> | null = null;
  private lmKey = '';
  /** Held by each restoration while it uses the models: one at a time, the others queued in order. */
  readonly lock = new FifoLock();

  constructor(private readonly settings: () => Settings) {}

  tokenizer(): Promise<V2LTokenizer> {
    const { threads, executionProvider, tokenizerPack } = this.settings();
    const key = JSON.stringify([threads, executionProvider, tokenizerPack]);
    if (this.tokenizerPromise && key !== this.tokenizerKey) {
      unload(this.tokenizerPromise);
      this.tokenizerPromise = null;
    }
    this.tokenizerKey = key;
    this.tokenizerPromise ??= chosenPackDir(tokenizerPack).then((dir) =>
      V2LTokenizer.load(dir, {
        ...(threads > 0 ? { threads } : {}),
        ...(executionProvider === 'auto' ? {} : { providers: [executionProvider] }),
      }),
    );
    this.tokenizerPromise.catch(() => (this.tokenizerPromise = null));
    return this.tokenizerPromise;
  }

  /** Whether lm() would answer without loading: the model of the current settings is loaded (or loading). */
  lmLoaded(): boolean {
    return this.lmPromise !== null && this.lmKey === this.lmSettingsKey();
  }

  private lmSettingsKey(): string {
    const { threads, sequences, lmFile, lmServerUrl, lmServerKey } = this.settings();
    return JSON.stringify([threads, sequences, lmFile, lmServerUrl, lmServerKey]);
  }

  /** The chosen llama-server when Settings name one, else the chosen (or bundled) GGUF loaded here. */
  lm(): Promise<LanguageModelBackend> {
    const { threads, sequences, lmFile, lmServerUrl, lmServerKey } = this.settings();
    const key = this.lmSettingsKey();
    if (this.lmPromise && key !== this.lmKey) {
      unload(this.lmPromise);
      this.lmPromise = null;
    }
    this.lmKey = key;
    this.lmPromise ??= Promise.resolve().then((): Promise<LanguageModelBackend> =>
      lmServerUrl
        ? RemoteLm.connect(lmServerUrl, lmServerKey ? { apiKey: lmServerKey } : {})
        : FrozenLm.load(lmFile || defaultLmPath(), { threads, ...(sequences > 0 ? { sequences } : {}) }),
    );
    this.lmPromise.catch(() => (this.lmPromise = null));
    return this.lmPromise;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /** Unloads both models, so the next use loads them with the current settings. */
  async dispose(): Promise<void> {
    const [tokenizer, lm] = await Promise.allSettled([this.tokenizerPromise, this.lmPromise]);
    this.tokenizerPromise = null;
    this.lmPromise = null;
    if (tokenizer.status === 'fulfilled') await tokenizer.value?.dispose();
    if (lm.status === 'fulfilled') await lm.value?.dispose();
  }
}

/** Releases a model loaded with settings no longer in force (a failed load has nothing to release). */
function unload(model: Promise<{ dispose(): Promise<void> }>): void {
  model.then((m) => m.dispose()).catch(() => undefined);
}
