/** What `npm run bench -- --json` must hold, and the bar it is read against (the bar lives in the bench only). */

export const BAR = {
  studio_vs_raw: 0.9,
  large_photo_seconds: 10,
  tokenizer_seconds_per_image: 0.15,
} as const;

/** Top-level keys (they refer to the bundled model where a model is meant), each a finite number. */
export const REQUIRED_NUMBER_KEYS = [
  'raw_prompt_tokens_per_s',
  'studio_prompt_tokens_per_s',
  'studio_vs_raw',
  'authors_loop_vs_studio',
  'threads',
  'contexts',
  'sequences',
  'tokenizer_seconds_per_image',
  'large_photo_seconds',
  'cold_start_seconds',
  'peak_rss_mb',
  'llama_bench_prompt_tokens_per_s',
  'estimate_error',
  'estimate_error_random_weight',
  'estimate_error_random_weight_scaled',
] as const;

/** Keys of each entry of `models` (the bundled and the random-weight model), each a finite number. */
export const MODEL_NUMBER_KEYS = [
  'params',
  'raw_prompt_tokens_per_s',
  'studio_prompt_tokens_per_s',
  'studio_vs_raw',
  'raw_confident_prompt_tokens_per_s',
  'studio_vs_raw_confident',
  'authors_loop_prompt_tokens_per_s',
  'authors_loop_vs_studio',
  'threads',
  'contexts',
  'raw_threads',
  'sequences',
  'llama_bench_prompt_tokens_per_s',
  'estimate_seconds',
  'studio_llm_seconds',
  'estimate_error',
] as const;
