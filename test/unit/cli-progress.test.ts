import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src-shared/format';

describe('formatDuration', () => {
  it('speaks in seconds, then minutes, then hours', () => {
    expect(formatDuration(0.4)).toBe('0 s');
    expect(formatDuration(119)).toBe('119 s');
    expect(formatDuration(120)).toBe('2 min');
    expect(formatDuration(7199)).toBe('120 min');
    expect(formatDuration(7200)).toBe('2.0 h');
    expect(formatDuration(5.5 * 3600)).toBe('5.5 h');
  });
});
