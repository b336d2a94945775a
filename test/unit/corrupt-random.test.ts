import { describe, expect, it } from 'vitest';

import { mulberry32 } from '../../src-main/engine/corrupt/random';

describe('mulberry32', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('stays in [0, 1) and int() covers its inclusive range evenly', () => {
    const rng = mulberry32(123);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const v = rng.next();
      expect(v >= 0 && v < 1).toBe(true);
      const n = rng.int(0, 3);
      counts[n] = (counts[n] ?? 0) + 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(850);
  });

  it('refuses fractional seeds and empty ranges', () => {
    expect(() => mulberry32(1.5)).toThrow(/seed/);
    expect(() => mulberry32(1).int(3, 2)).toThrow(/between 3 and 2/);
  });
});
