import { describe, expect, it } from 'vitest';
import { repeatCases, uniformIds } from '../../src-main/engine/llm/copy-test';

describe('repeat-copy cases', () => {
  const text = Array.from({ length: 5000 }, (_, i) => 300 + (i % 977));

  it('set one span of ids into running text and repeat it at the end', () => {
    for (const c of repeatCases(text, 20, uniformIds, 7, 24)) {
      const repeat = c.tokens.slice(c.repeatStart);
      expect(repeat).toHaveLength(24);
      expect(c.tokens[0]).toBe(1);
      // The first copy sits earlier, after at least 8 tokens of text.
      const first = c.tokens.findIndex(
        (_, i) => i >= 9 && c.tokens.slice(i, i + 24).join() === repeat.join(),
      );
      expect(first).toBeGreaterThanOrEqual(9);
      expect(first).toBeLessThan(c.repeatStart);
      expect(c.repeatStart - first - 24).toBeLessThanOrEqual(47);
    }
  });

  it('are the same for the same seed and differ for another', () => {
    const a = repeatCases(text, 5, uniformIds, 1);
    expect(repeatCases(text, 5, uniformIds, 1)).toEqual(a);
    expect(repeatCases(text, 5, uniformIds, 2)).not.toEqual(a);
  });
});
