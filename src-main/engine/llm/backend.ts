/**
 * What a restoration needs from a language model: fixed-length greedy generation over raw token ids, never
 * producing <unk>, <s>, </s> or a byte piece. Two backends implement it: FrozenLm (node-llama-cpp in this process)
 * and RemoteLm (llama.cpp's own llama-server over HTTP, for a model too big for this machine; llama-server can in
 * turn spread the model over several machines with llama.cpp's RPC backend).
 */
export interface Generation {
  /** The generated ids, `steps` of them, all image words (>= FIRST_IMAGE_TOKEN_ID). */
  readonly ids: number[];
  /** The model's probability for each generated id. */
  readonly confidences: number[];
}

export interface GenerateOptions {
  readonly signal?: AbortSignal;
  /**
   * The authors' loop: one prompt at a time on one sequence, its history cleared before each prompt (no batching,
   * no prefix reuse). The yardstick for the speed of the default path, which must predict the same ids.
   */
  readonly naive?: boolean;
  /** Called after each prompt finishes, with the number of prompt and generated tokens it evaluated, and its words. */
  readonly onPromptDone?: (index: number, evaluatedTokens: number, generation: Generation) => void;
}

export interface LanguageModelBackend extends AsyncDisposable {
  /** The model's name, as its file or server reports it. */
  readonly name: string;
  /** Where it runs, in words ("CPU", "GPU (cuda, 33 of 33 layers)", "llama-server at http://…"). */
  readonly device: string;
  /** Prompts evaluated at once. */
  readonly sequenceCount: number;
  /** Greedy generation of exactly `steps` image-word ids for each prompt, in the prompts' order. */
  generate(
    prompts: readonly (readonly number[])[],
    steps: number,
    options?: GenerateOptions,
  ): Promise<Generation[]>;
  dispose(): Promise<void>;
}
