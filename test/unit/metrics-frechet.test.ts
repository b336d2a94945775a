import { describe, expect, it } from 'vitest';

import { mulberry32 } from '../../src-main/engine/corrupt/random';
import { frechetDistance, symmetricEigenvalues } from '../../src-main/engine/metrics/frechet';

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.next() * 2 - 1;
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/** tr(A^k) of a row-major n x n matrix, for k = 1, 2, 3. */
function powerTraces(a: Float64Array, n: number): [number, number, number] {
  const mul = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < n; k++)
        for (let j = 0; j < n; j++)
          out[i * n + j] = (out[i * n + j] ?? 0) + (x[i * n + k] ?? 0) * (y[k * n + j] ?? 0);
    return out;
  };
  const trace = (x: Float64Array) =>
    Array.from({ length: n }, (_, i) => x[i * n + i] ?? 0).reduce((s, v) => s + v, 0);
  const a2 = mul(a, a);
  return [trace(a), trace(a2), trace(mul(a2, a))];
}

describe('symmetric eigenvalues (Householder + QL)', () => {
  it('finds 2 - sqrt 2, 2 and 2 + sqrt 2 for the 3x3 second-difference matrix', () => {
    const values = Array.from(symmetricEigenvalues(Float64Array.from([2, 1, 0, 1, 2, 1, 0, 1, 2]), 3)).sort();
    expect(values[0]).toBeCloseTo(2 - Math.SQRT2, 13);
    expect(values[1]).toBeCloseTo(2, 13);
    expect(values[2]).toBeCloseTo(2 + Math.SQRT2, 13);
  });

  it('keeps tr(A), tr(A^2) and tr(A^3) of a random 60x60 matrix', () => {
    const n = 60;
    const a = randomSymmetric(n, 11);
    const [t1, t2, t3] = powerTraces(a, n);
    const values = symmetricEigenvalues(a.slice(), n);
    const sum = (k: number) => Array.from(values).reduce((s, v) => s + v ** k, 0);
    expect(sum(1)).toBeCloseTo(t1, 10);
    expect(sum(2)).toBeCloseTo(t2, 9);
    expect(sum(3)).toBeCloseTo(t3, 9);
  });
});

describe('Fréchet distance', () => {
  it('is |mu1 - mu2|^2 + sum (sqrt a_i - sqrt b_i)^2 for diagonal covariances (more samples than dimensions)', () => {
    // Four points (+-u, 0), (0, +-w) around a centre: covariance diag(2u^2/3, 2w^2/3).
    const set = (cx: number, cy: number, u: number, w: number) => [
      [cx + u, cy],
      [cx - u, cy],
      [cx, cy + w],
      [cx, cy - w],
    ];
    const a = set(0, 0, 3, 1);
    const b = set(1, 2, 1, 2);
    const sd = (v: number) => Math.sqrt((2 * v * v) / 3);
    const expected = 1 + 4 + (sd(3) - sd(1)) ** 2 + (sd(1) - sd(2)) ** 2;
    expect(frechetDistance(a, b)).toBeCloseTo(expected, 10);
    expect(frechetDistance(a, a)).toBeCloseTo(0, 10);
  });

  it('for rank-one sets (fewer samples than dimensions) is |mu1 - mu2|^2 + |x - y|^2 with aligned spreads', () => {
    // Two points each, spread along one direction: S = 2 x x^T and 2 y y^T with x, y parallel.
    const a = [
      [1, 2, 0],
      [-1, -2, 0],
    ];
    const b = [
      [3, 6, 1],
      [-3, -6, 1],
    ];
    // Spreads: sqrt 2 (1, 2, 0) and sqrt 2 (3, 6, 0); means differ by (0, 0, 1).
    const expected = 1 + 2 * ((3 - 1) ** 2 + (6 - 2) ** 2);
    expect(frechetDistance(a, b)).toBeCloseTo(expected, 10);
  });

  it('agrees between the sample-factor and the Cholesky route on the same Gaussian data', () => {
    const rng = mulberry32(5);
    const draw = (n: number, d: number, shift: number) =>
      Array.from({ length: n }, () => Array.from({ length: d }, (_, j) => rng.next() * (1 + j) + shift));
    const a = draw(6, 4, 0);
    const b = draw(6, 4, 0.3);
    // Six samples in 4 dimensions take the Cholesky route; padding with constant dimensions (no variance, no mean
    // difference) adds nothing to the distance but sends the same data down the sample-factor route.
    const pad = (set: number[][]) => set.map((f) => [...f, 7, 7, 7, 7]);
    expect(frechetDistance(pad(a), pad(b))).toBeCloseTo(frechetDistance(a, b), 5);
  });

  it('refuses sets too small or of different widths', () => {
    expect(() =>
      frechetDistance(
        [[1, 2]],
        [
          [1, 2],
          [3, 4],
        ],
      ),
    ).toThrow(/at least 2/);
    expect(() =>
      frechetDistance(
        [[1], [2]],
        [
          [1, 2],
          [3, 4],
        ],
      ),
    ).toThrow(/dimensions/);
  });
});
