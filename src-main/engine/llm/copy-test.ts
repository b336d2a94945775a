import { mulberry32, type Rng } from '../corrupt/random';
import { exampleIds, framing, queryIds } from '../protocol/framing';
import { FIRST_IMAGE_TOKEN_ID, LAST_IMAGE_TOKEN_ID } from '../tokenizer/vocabulary';

/** Draws image-word ids: uniformly, or with the frequencies a tokenizer actually produces. */
export type IdSampler = (rng: Rng) => number;

export const uniformIds: IdSampler = (rng) => rng.int(FIRST_IMAGE_TOKEN_ID, LAST_IMAGE_TOKEN_ID);

/** Samples ids with the frequencies they have in `observed` (e.g. every id of many encoded images). */
export function observedIds(observed: readonly number[]): IdSampler {
  const pool = observed.filter((id) => id >= FIRST_IMAGE_TOKEN_ID && id <= LAST_IMAGE_TOKEN_ID);
  if (pool.length === 0) throw new Error('no image-word ids to sample from');
  return (rng) => pool[rng.int(0, pool.length - 1)] ?? FIRST_IMAGE_TOKEN_ID;
}

export interface CopyCase {
  readonly prompt: number[];
  readonly target: readonly [number, number];
}

export type CopySetting = 'noisy10' | 'clean10' | 'noisy5';

const SETTINGS: Record<CopySetting, { examples: number; noisy: boolean }> = {
  noisy10: { examples: 10, noisy: true },
  clean10: { examples: 10, noisy: false },
  noisy5: { examples: 5, noisy: true },
};

/**
 * The in-context copy test, in the reference protocol's exact prompt shape: a clean run of 16 input ids and 2
 * target ids; each example a copy of it whose ids are each replaced, with probability 0.50 down to 0.23 in even
 * steps (noisy), by an id from the same distribution; the query is the clean 16 inputs. A model that has learnt
 * to copy by majority answers with the 2 targets.
 */
export function copyCases(setting: CopySetting, count: number, sample: IdSampler, seed: number): CopyCase[] {
  const { examples, noisy } = SETTINGS[setting];
  const rng = mulberry32(seed);
  const frame = framing(2);
  const cases: CopyCase[] = [];
  for (let c = 0; c < count; c++) {
    const clean = Array.from({ length: 18 }, () => sample(rng));
    const prompt = [...frame.instruction];
    for (let k = 0; k < examples; k++) {
      const rate = noisy ? 0.5 - (0.27 * k) / Math.max(examples - 1, 1) : 0;
      const example = clean.map((id) => (rng.next() < rate ? sample(rng) : id));
      prompt.push(...exampleIds(frame, example.slice(0, 16), example.slice(16)));
    }
    prompt.push(...queryIds(frame, clean.slice(0, 16)));
    cases.push({ prompt, target: [clean[16] ?? 0, clean[17] ?? 0] });
  }
  return cases;
}

export interface RepeatCase {
  /** BOS, held-out text, a span of ids, more held-out text, the same span again. */
  readonly tokens: number[];
  /** Index in `tokens` where the repeated span starts. */
  readonly repeatStart: number;
}

/**
 * The generic repeat-copy test (the classic induction-head task, not the restoration prompt): a span of `span`
 * sampled ids set into running held-out text and repeated after a gap. A model that copies from its context
 * predicts ids 2..span of the repeat; the first cannot be known. Mirrors training/lm/copy_eval.py's repeat test.
 */
export function repeatCases(
  text: readonly number[],
  count: number,
  sample: IdSampler,
  seed: number,
  span = 24,
): RepeatCase[] {
  const rng = mulberry32(seed);
  const cases: RepeatCase[] = [];
  for (let c = 0; c < count; c++) {
    const ids = Array.from({ length: span }, () => sample(rng));
    const lead = rng.int(8, 63);
    const gap = rng.int(0, 47);
    const start = rng.int(0, Math.max(0, text.length - lead - gap - 1));
    const tokens = [
      1,
      ...text.slice(start, start + lead),
      ...ids,
      ...text.slice(start + lead, start + lead + gap),
      ...ids,
    ];
    cases.push({ tokens, repeatStart: tokens.length - span });
  }
  return cases;
}
