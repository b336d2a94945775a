import { StudioError } from '../errors';

/**
 * A seeded pseudo-random generator. Corruptions and in-context examples must be reproducible from a stored seed
 * (a run is re-creatable from its database row), which Math.random cannot give.
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** A whole number in [min, max], both included. */
  int(min: number, max: number): number;
}

/**
 * Mulberry32 (Tommy Ettinger's 32-bit generator): tiny, fast, full 2^32 period, good enough for sampling
 * parameters; not for anything secret.
 */
export function mulberry32(seed: number): Rng {
  if (!Number.isInteger(seed)) {
    throw new StudioError('INVALID_ARGUMENT', `The random seed is ${seed}: it must be a whole number.`);
  }
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int(min: number, max: number): number {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
        throw new StudioError('INVALID_ARGUMENT', `Cannot draw a whole number between ${min} and ${max}.`);
      }
      return min + Math.floor(next() * (max - min + 1));
    },
  };
}
