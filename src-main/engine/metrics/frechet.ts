import { StudioError } from '../errors';

/*
 * The Fréchet distance between two sets of feature vectors, each taken as a Gaussian (its mean and unbiased
 * covariance, as numpy.cov):
 *
 *   d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr(sqrt(S1 S2))
 *
 * FID is this distance between InceptionV3 pool features of real and restored images. tr(sqrt(S1 S2)) is computed
 * without a matrix square root: with S1 = F1 F1^T and S2 = F2 F2^T, the eigenvalues of S1 S2 are those of
 * (F1^T F2)(F1^T F2)^T, so the trace is the sum of the singular values of F1^T F2. With n <= d samples the
 * centred samples themselves are a factor (F = X^T / sqrt(n - 1), d x n), so a few hundred images cost a few
 * hundred squared; with more samples than dimensions F is the Cholesky factor of S.
 */

/** Mean and unbiased covariance factor of n feature vectors of dimension d. */
interface Gaussian {
  readonly mean: Float64Array;
  /** F with S = F F^T: d rows, `rank` columns, row-major. */
  readonly factor: Float64Array;
  readonly rank: number;
  readonly trace: number;
}

function checkSet(features: readonly ArrayLike<number>[], name: string): number {
  if (features.length < 2) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The Fréchet distance needs at least 2 feature vectors per set; the ${name} set has ${features.length}.`,
    );
  }
  const d = features[0]?.length ?? 0;
  features.forEach((f, i) => {
    if (f.length !== d) {
      throw new StudioError(
        'INVALID_ARGUMENT',
        `Feature vector ${i} of the ${name} set has ${f.length} values; the first has ${d}.`,
      );
    }
  });
  return d;
}

function gaussian(features: readonly ArrayLike<number>[], d: number): Gaussian {
  const n = features.length;
  const mean = new Float64Array(d);
  for (const f of features) for (let j = 0; j < d; j++) mean[j] = (mean[j] ?? 0) + (f[j] ?? 0) / n;
  let trace = 0;
  if (n <= d) {
    // F = centred samples, transposed, over sqrt(n - 1): d x n.
    const factor = new Float64Array(d * n);
    const scale = 1 / Math.sqrt(n - 1);
    features.forEach((f, i) => {
      for (let j = 0; j < d; j++) {
        const v = ((f[j] ?? 0) - (mean[j] ?? 0)) * scale;
        factor[j * n + i] = v;
        trace += v * v;
      }
    });
    return { mean, factor, rank: n, trace };
  }
  const cov = new Float64Array(d * d);
  for (const f of features) {
    for (let a = 0; a < d; a++) {
      const va = (f[a] ?? 0) - (mean[a] ?? 0);
      if (va === 0) continue;
      for (let b = 0; b <= a; b++)
        cov[a * d + b] = (cov[a * d + b] ?? 0) + va * ((f[b] ?? 0) - (mean[b] ?? 0));
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      const v = (cov[a * d + b] ?? 0) / (n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
    trace += cov[a * d + a] ?? 0;
  }
  return { mean, factor: choleskyWithFallback(cov, d), rank: d, trace };
}

/**
 * Lower Cholesky factor of a symmetric positive semi-definite matrix. A singular covariance (features that never
 * vary) gets 1e-6 added to its diagonal first, as the reference implementation does when its square root fails.
 */
function choleskyWithFallback(matrix: Float64Array, d: number): Float64Array {
  const plain = cholesky(matrix, d, 0);
  if (plain) return plain;
  const offset = cholesky(matrix, d, 1e-6);
  if (offset) return offset;
  throw new StudioError('INVALID_ARGUMENT', 'The feature covariance is not positive semi-definite.');
}

function cholesky(matrix: Float64Array, d: number, offset: number): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = (matrix[i * d + j] ?? 0) + (i === j ? offset : 0);
      for (let k = 0; k < j; k++) sum -= (l[i * d + k] ?? 0) * (l[j * d + k] ?? 0);
      if (i === j) {
        if (!(sum > 0)) return null;
        l[i * d + i] = Math.sqrt(sum);
      } else {
        l[i * d + j] = sum / (l[j * d + j] ?? 1);
      }
    }
  }
  return l;
}

/** The eigenvalues of a symmetric n x n matrix (row-major; overwritten), in no particular order. */
export function symmetricEigenvalues(matrix: Float64Array, n: number): Float64Array {
  const diag = new Float64Array(n);
  const off = new Float64Array(n);
  tridiagonalise(matrix, n, diag, off);
  tridiagonalQl(diag, off);
  return diag;
}

/**
 * Householder reduction to tridiagonal form, eigenvalues only: column k's part below the subdiagonal is
 * reflected away, and the reflection applied to the trailing block from both sides. `off[i]` is the entry
 * between i and i + 1.
 */
function tridiagonalise(a: Float64Array, n: number, diag: Float64Array, off: Float64Array): void {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) norm2 += (a[i * n + k] ?? 0) ** 2;
    const x0 = a[(k + 1) * n + k] ?? 0;
    if (norm2 - x0 * x0 <= 0) continue;
    const alpha = x0 > 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    for (let i = k + 1; i < n; i++) v[i] = a[i * n + k] ?? 0;
    v[k + 1] = x0 - alpha;
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += (v[i] ?? 0) ** 2;
    // H = I - 2 v v^T / vv; H A H = A - v q^T - q v^T with p = 2 A v / vv and q = p - (v^T p / vv) v.
    let vp = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += (a[i * n + j] ?? 0) * (v[j] ?? 0);
      p[i] = (2 * s) / vv;
      vp += (v[i] ?? 0) * (p[i] ?? 0);
    }
    const kk = vp / vv;
    for (let i = k + 1; i < n; i++) p[i] = (p[i] ?? 0) - kk * (v[i] ?? 0);
    for (let i = k + 1; i < n; i++) {
      for (let j = k + 1; j < n; j++) {
        a[i * n + j] = (a[i * n + j] ?? 0) - (v[i] ?? 0) * (p[j] ?? 0) - (p[i] ?? 0) * (v[j] ?? 0);
      }
    }
    a[(k + 1) * n + k] = alpha;
    a[k * n + k + 1] = alpha;
    for (let i = k + 2; i < n; i++) {
      a[i * n + k] = 0;
      a[k * n + i] = 0;
    }
  }
  for (let i = 0; i < n; i++) {
    diag[i] = a[i * n + i] ?? 0;
    off[i] = i + 1 < n ? (a[(i + 1) * n + i] ?? 0) : 0;
  }
}

/** Eigenvalues of a symmetric tridiagonal matrix by the QL algorithm with implicit Wilkinson-type shifts. */
function tridiagonalQl(d: Float64Array, e: Float64Array): void {
  const n = d.length;
  for (let l = 0; l < n; l++) {
    for (let iteration = 0; ; iteration++) {
      // The first negligible off-diagonal entry at or after l splits the matrix there.
      let m = l;
      for (; m < n - 1; m++) {
        const scale = Math.abs(d[m] ?? 0) + Math.abs(d[m + 1] ?? 0);
        if (Math.abs(e[m] ?? 0) <= Number.EPSILON * scale) break;
      }
      if (m === l) break;
      if (iteration === 100) {
        throw new StudioError('INTERNAL', 'The eigenvalue iteration did not converge.');
      }
      let g = ((d[l + 1] ?? 0) - (d[l] ?? 0)) / (2 * (e[l] ?? 0));
      let r = Math.hypot(g, 1);
      g = (d[m] ?? 0) - (d[l] ?? 0) + (e[l] ?? 0) / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * (e[i] ?? 0);
        const b = c * (e[i] ?? 0);
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // Two eigenvalues split apart: deflate and start this l again.
          d[i + 1] = (d[i + 1] ?? 0) - p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = (d[i + 1] ?? 0) - p;
        r = ((d[i] ?? 0) - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
      }
      if (underflow) continue;
      d[l] = (d[l] ?? 0) - p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

/** tr(sqrt(S1 S2)): the sum of the singular values of F1^T F2 (r1 x r2). */
function traceSqrtProduct(a: Gaussian, b: Gaussian, d: number): number {
  const r1 = a.rank;
  const r2 = b.rank;
  const m = new Float64Array(r1 * r2);
  for (let k = 0; k < d; k++) {
    for (let i = 0; i < r1; i++) {
      const fa = a.factor[k * r1 + i] ?? 0;
      if (fa === 0) continue;
      for (let j = 0; j < r2; j++) m[i * r2 + j] = (m[i * r2 + j] ?? 0) + fa * (b.factor[k * r2 + j] ?? 0);
    }
  }
  // The smaller Gram matrix of M has M's squared singular values as its eigenvalues.
  const small = Math.min(r1, r2);
  const gram = new Float64Array(small * small);
  for (let i = 0; i < small; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      if (r1 <= r2) for (let k = 0; k < r2; k++) s += (m[i * r2 + k] ?? 0) * (m[j * r2 + k] ?? 0);
      else for (let k = 0; k < r1; k++) s += (m[k * r2 + i] ?? 0) * (m[k * r2 + j] ?? 0);
      gram[i * small + j] = s;
      gram[j * small + i] = s;
    }
  }
  const values = symmetricEigenvalues(gram, small);
  // Eigenvalues that are zero in exact arithmetic come out as rounding noise, whose square root is not small
  // (1e-13 gives 3e-7): below the precision the largest one leaves, they count as zero.
  const floor = Math.max(0, ...values.map(Math.abs)) * small * Number.EPSILON * 16;
  let trace = 0;
  for (const value of values) if (value > floor) trace += Math.sqrt(value);
  return trace;
}

/** The Fréchet distance between two sets of feature vectors (FID when they are InceptionV3 pool features). */
export function frechetDistance(
  real: readonly ArrayLike<number>[],
  restored: readonly ArrayLike<number>[],
): number {
  const d = checkSet(real, 'first');
  if (checkSet(restored, 'second') !== d) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      `The two feature sets have ${d} and ${restored[0]?.length ?? 0} dimensions; they must match.`,
    );
  }
  const a = gaussian(real, d);
  const b = gaussian(restored, d);
  let meanTerm = 0;
  for (let j = 0; j < d; j++) meanTerm += ((a.mean[j] ?? 0) - (b.mean[j] ?? 0)) ** 2;
  return meanTerm + a.trace + b.trace - 2 * traceSqrtProduct(a, b, d);
}
