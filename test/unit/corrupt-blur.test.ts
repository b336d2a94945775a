import { describe, expect, it } from 'vitest';

import {
  gaussianBlur,
  gaussianKernel1d,
  opencvSigmaForKernel,
  paperBlurKernelSize,
} from '../../src-main/engine/corrupt/blur';
import { reflect101 } from '../../src-main/engine/corrupt/border';
import { StudioError } from '../../src-main/engine/errors';
import { greyImage, imageFrom, redRows } from '../helpers/images';

describe('gaussianKernel1d', () => {
  it('uses OpenCV fixed tables for k <= 7 when sigma is omitted', () => {
    expect(Array.from(gaussianKernel1d(3))).toEqual([0.25, 0.5, 0.25]);
    expect(Array.from(gaussianKernel1d(5))).toEqual([1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16]);
    expect(Array.from(gaussianKernel1d(7))).toEqual([
      0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125,
    ]);
  });

  it('samples a Gaussian with sigma = 0.3 * ((k - 1) / 2 - 1) + 0.8 for larger k', () => {
    expect(opencvSigmaForKernel(9)).toBeCloseTo(1.7, 12);
    expect(opencvSigmaForKernel(11)).toBeCloseTo(2.0, 12);
    // Hand-computed: exp(-x^2 / (2 * 1.7^2)) for x = -4..4, divided by the sum.
    const expected = [
      0.014839, 0.049817, 0.118323, 0.198829, 0.236384, 0.198829, 0.118323, 0.049817, 0.014839,
    ];
    const kernel = Array.from(gaussianKernel1d(9));
    kernel.forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? NaN, 6));
  });

  it('uses an explicit sigma when one is given, and sums to 1', () => {
    const kernel = gaussianKernel1d(5, 1);
    const sum = kernel.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 12);
    expect((kernel[2] ?? NaN) / (kernel[1] ?? NaN)).toBeCloseTo(Math.exp(0.5), 12);
  });

  it('refuses even and out-of-range sizes', () => {
    for (const k of [4, 1, 33, 5.5]) {
      expect(() => gaussianKernel1d(k)).toThrow(StudioError);
    }
    expect(() => gaussianKernel1d(6)).toThrow(/must be odd/);
  });
});

describe('reflect101', () => {
  it('mirrors about the edge pixel without repeating it, bouncing on small lengths', () => {
    expect([-3, -2, -1, 0, 1, 2, 3, 4, 5].map((i) => reflect101(i, 4))).toEqual([3, 2, 1, 0, 1, 2, 3, 2, 1]);
    expect([-2, -1, 0, 1, 2, 3, 4].map((i) => reflect101(i, 3))).toEqual([2, 1, 0, 1, 2, 1, 0]);
    expect(reflect101(-5, 1)).toBe(0);
  });
});

describe('gaussianBlur', () => {
  it('turns a centred impulse into the rounded outer product of the 1-D kernel', () => {
    const n = 9;
    const image = imageFrom(n, n, (x, y) => (x === 4 && y === 4 ? [255, 255, 255] : [0, 0, 0]));
    const blurred = gaussianBlur(image, 5);
    const k = [1, 4, 6, 4, 1].map((v) => v / 16);
    const rows = redRows(blurred);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const inside = Math.abs(x - 4) <= 2 && Math.abs(y - 4) <= 2;
        const expected = inside ? Math.round(255 * (k[y - 2] ?? NaN) * (k[x - 2] ?? NaN)) : 0;
        expect(rows[y]?.[x], `pixel (${x}, ${y})`).toBe(expected);
      }
    }
    expect(rows[4]?.[4]).toBe(36); // 255 * 0.375^2 = 35.86
  });

  it('reads past the border with REFLECT_101 (a 1-row image is a 1-D convolution)', () => {
    // k = 3 -> [1/4, 1/2, 1/4]. At x = 0 the missing left neighbour is x = 1, not x = 0.
    expect(redRows(gaussianBlur(greyImage([[100, 0, 0, 0]]), 3))).toEqual([[50, 25, 0, 0]]);
    expect(redRows(gaussianBlur(greyImage([[0, 0, 0, 100]]), 3))).toEqual([[0, 0, 25, 50]]);
    // Vertically: same rule.
    expect(redRows(gaussianBlur(greyImage([[100], [0], [0]]), 3))).toEqual([[50], [25], [0]]);
  });

  it('keeps flat images flat for every paper kernel size, even on tiny images', () => {
    const flat = imageFrom(3, 2, () => [7, 130, 250]);
    for (const k of [5, 7, 9, 11, 31]) expect(gaussianBlur(flat, k).data).toEqual(flat.data);
  });

  it('blurs each channel independently', () => {
    const image = imageFrom(5, 1, (x) => (x === 2 ? [255, 0, 100] : [0, 255, 0]));
    const out = gaussianBlur(image, 3);
    expect(Array.from(out.data.subarray(6, 9))).toEqual([128, 128, 50]); // 127.5 rounds up; 255 * 0.5; 100 * 0.5
  });
});

describe('paperBlurKernelSize', () => {
  it('is deterministic per seed and draws every odd size 5..11', () => {
    expect(paperBlurKernelSize(42)).toBe(paperBlurKernelSize(42));
    const seen = new Set<number>();
    for (let seed = 0; seed < 200; seed++) seen.add(paperBlurKernelSize(seed));
    expect([...seen].sort((a, b) => a - b)).toEqual([5, 7, 9, 11]);
  });

  it('draws as albumentations did: 5 one time in 7, and 7, 9, 11 two times in 7 each', () => {
    const n = 14_000;
    const counts = new Map<number, number>();
    for (let seed = 0; seed < n; seed++) {
      const k = paperBlurKernelSize(seed);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    // Binomial standard deviations are under 0.004 here; 0.015 is about four of them.
    expect(Math.abs((counts.get(5) ?? 0) / n - 1 / 7)).toBeLessThan(0.015);
    for (const k of [7, 9, 11]) expect(Math.abs((counts.get(k) ?? 0) / n - 2 / 7)).toBeLessThan(0.015);
  });
});
