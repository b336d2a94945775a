import { StudioError } from '../errors';
import type { Mask, RgbImage } from '../image/types';
import { assertImage, assertInteger, assertMask, assertSameSize } from '../image/validate';

/*
 * Inpainting by the fast marching method, written from A. Telea, "An image inpainting technique based on the fast
 * marching method", Journal of Graphics Tools 9(1), 2004. The hole is filled from its boundary inwards in order of
 * arrival time T (the distance to the boundary, from the eikonal equation |grad T| = 1). Each pixel, when reached,
 * becomes a weighted mean over the already known pixels q within `radius` of I(q) (or, as in the paper, of the
 * first-order extrapolation I(q) + grad I(q) . (p - q): see `inpaintTelea`); the weight is the product of
 *   dir = |N(p) . (p - q)| / |p - q|      (N = grad T / |grad T|, the normal to the level set through p),
 *   dst = 1 / |p - q|^2                   (geometric distance),
 *   lev = 1 / (1 + |T(p) - T(q)|)         (level-set distance),
 * as in the paper's equation (5) with d0 = T0 = 1. Known pixels carry a negative T (their distance to the hole,
 * marched outwards first) so that grad T points inwards across the boundary too, as the paper's reference code
 * and OpenCV's cv::inpaint(INPAINT_TELEA) do.
 */

/** Pixel states of the fast marching method. */
const KNOWN = 0;
const BAND = 1;
const INSIDE = 2;

/** Arrival time of pixels the march has not reached. */
const FAR = 1e6;

/** Floor of the direction factor, so that a pixel whose known neighbours all lie along the level set still fills. */
const MIN_DIRECTION = 1e-6;

/**
 * A binary min-heap of pixel indices keyed by arrival time, ties broken by insertion order so that the filling
 * order (and therefore the result) does not depend on the heap's internals.
 */
class PixelHeap {
  private readonly keys: number[] = [];
  private readonly seqs: number[] = [];
  private readonly pixels: number[] = [];
  private counter = 0;

  get size(): number {
    return this.pixels.length;
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a] ?? 0;
    const kb = this.keys[b] ?? 0;
    return ka < kb || (ka === kb && (this.seqs[a] ?? 0) < (this.seqs[b] ?? 0));
  }

  private swap(a: number, b: number): void {
    for (const arr of [this.keys, this.seqs, this.pixels]) {
      const t = arr[a] ?? 0;
      arr[a] = arr[b] ?? 0;
      arr[b] = t;
    }
  }

  push(pixel: number, key: number): void {
    this.keys.push(key);
    this.seqs.push(this.counter++);
    this.pixels.push(pixel);
    let i = this.pixels.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the pixel with the smallest key; the heap must not be empty. */
  pop(): number {
    const top = this.pixels[0] ?? -1;
    const last = this.pixels.length - 1;
    this.swap(0, last);
    this.keys.pop();
    this.seqs.pop();
    this.pixels.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < last && this.less(l, m)) m = l;
      if (r < last && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }

  peekKey(): number {
    return this.keys[0] ?? Infinity;
  }
}

/**
 * The first-order upwind solution of |grad T| = 1 at a pixel from one horizontal and one vertical neighbour
 * (indices, -1 when off the image); only neighbours in state KNOWN take part (Telea 2004, section 3.2).
 */
function solvePair(a: number, b: number, state: Uint8Array, time: Float64Array): number {
  const aKnown = a >= 0 && state[a] === KNOWN;
  const bKnown = b >= 0 && state[b] === KNOWN;
  const ta = aKnown ? (time[a] ?? FAR) : FAR;
  const tb = bKnown ? (time[b] ?? FAR) : FAR;
  if (aKnown && bKnown) {
    const d = ta - tb;
    if (Math.abs(d) < 1) return (ta + tb + Math.sqrt(2 - d * d)) / 2;
    return Math.min(ta, tb) + 1;
  }
  if (aKnown) return ta + 1;
  if (bKnown) return tb + 1;
  return FAR;
}

/** The smallest of the four quadrant solutions at pixel (x, y). */
function arrivalTime(
  x: number,
  y: number,
  width: number,
  height: number,
  state: Uint8Array,
  time: Float64Array,
): number {
  const p = y * width + x;
  const left = x > 0 ? p - 1 : -1;
  const right = x < width - 1 ? p + 1 : -1;
  const up = y > 0 ? p - width : -1;
  const down = y < height - 1 ? p + width : -1;
  return Math.min(
    solvePair(left, up, state, time),
    solvePair(right, up, state, time),
    solvePair(left, down, state, time),
    solvePair(right, down, state, time),
  );
}

/** The four neighbours of pixel p that lie on the image, as indices (-1 for none). */
function neighbours(p: number, width: number, height: number, out: Int32Array): void {
  const x = p % width;
  const y = (p - x) / width;
  out[0] = x > 0 ? p - 1 : -1;
  out[1] = x < width - 1 ? p + 1 : -1;
  out[2] = y > 0 ? p - width : -1;
  out[3] = y < height - 1 ? p + width : -1;
}

/**
 * Central difference along one axis of `values` at pixel p, falling back to a one-sided difference where a
 * neighbour is missing or still inside the hole, and to 0 where both are.
 */
function difference(
  values: Float64Array,
  stride: number,
  p: number,
  before: number,
  after: number,
  state: Uint8Array,
): number {
  const hasBefore = before >= 0 && state[before] !== INSIDE;
  const hasAfter = after >= 0 && state[after] !== INSIDE;
  if (hasBefore && hasAfter) return ((values[after * stride] ?? 0) - (values[before * stride] ?? 0)) / 2;
  if (hasAfter) return (values[after * stride] ?? 0) - (values[p * stride] ?? 0);
  if (hasBefore) return (values[p * stride] ?? 0) - (values[before * stride] ?? 0);
  return 0;
}

/**
 * Fills the masked pixels (mask 1) of `image` by Telea's fast marching inpainting with neighbourhood `radius`
 * (pixels, default 5 as in the paper's examples); pixels outside the mask are copied unchanged.
 *
 * With `firstOrder` each known pixel contributes the paper's extrapolation I(q) + grad I(q) . (p - q), which
 * continues linear ramps exactly; by default it contributes I(q) alone (the weights are unchanged). On the
 * paper's token-cell holes (64x64 pixels and deeper) the first-order term compounds: filled pixels pass on
 * their extrapolated gradients, and fills overshoot into stripes. Mean RGB PSNR on ImageNet-val (dev split)
 * views 21-40, radius 5: inpaint 15.05 dB first-order vs 19.04 dB plain, outpaint 9.84 vs 15.99 dB; with
 * the gradient halved or taken from original pixels only, it stayed below plain (18.6-18.7 / 15.2-15.5 dB). Holes may touch
 * the image border (outpainting): the march simply never leaves the image. A mask with no known pixel is refused.
 * Pure and deterministic.
 */
export function inpaintTelea(image: RgbImage, mask: Mask, radius = 5, firstOrder = false): RgbImage {
  assertImage(image);
  assertMask(mask);
  assertSameSize(image, mask);
  assertInteger(radius, 'inpainting radius', 1, 64);
  const { width, height } = image;
  const n = width * height;

  const state = new Uint8Array(n);
  let holes = 0;
  for (let p = 0; p < n; p++) {
    if (mask.data[p] !== 0) {
      state[p] = INSIDE;
      holes++;
    }
  }
  if (holes === 0) return { width, height, data: image.data.slice() };
  if (holes === n) {
    throw new StudioError(
      'INVALID_ARGUMENT',
      'The inpainting mask covers the whole image: nothing to fill from.',
    );
  }

  const nb = new Int32Array(4);
  // The initial narrow band: known pixels with a 4-neighbour in the hole, at T = 0.
  const band: number[] = [];
  for (let p = 0; p < n; p++) {
    if (state[p] === INSIDE) continue;
    neighbours(p, width, height, nb);
    for (const q of nb) {
      if (q >= 0 && state[q] === INSIDE) {
        band.push(p);
        break;
      }
    }
  }

  const time = new Float64Array(n).fill(FAR);

  // Pass 1: march outwards through the known region to give known pixels near the hole their (negated)
  // distance, so the level-set term and grad T are meaningful on both sides of the boundary. The hole is frozen
  // and the known region plays the part of the unknown one.
  {
    const outState = new Uint8Array(n).fill(INSIDE);
    const heap = new PixelHeap();
    for (let p = 0; p < n; p++) if (state[p] === INSIDE) outState[p] = KNOWN;
    for (const p of band) {
      outState[p] = BAND;
      time[p] = 0;
      heap.push(p, 0);
    }
    const limit = 2 * radius + 1;
    while (heap.size > 0 && heap.peekKey() <= limit) {
      const p = heap.pop();
      outState[p] = KNOWN;
      neighbours(p, width, height, nb);
      for (const q of nb) {
        if (q < 0 || outState[q] !== INSIDE) continue;
        const x = q % width;
        const t = arrivalTime(x, (q - x) / width, width, height, outState, time);
        time[q] = t;
        outState[q] = BAND;
        heap.push(q, t);
      }
    }
    for (let p = 0; p < n; p++) {
      if (state[p] === INSIDE) time[p] = FAR;
      else time[p] = -(time[p] ?? FAR);
    }
  }

  // Pass 2: march inwards through the hole, filling each pixel as it is reached.
  const values = new Float64Array(n * 3);
  for (let i = 0; i < n * 3; i++) values[i] = image.data[i] ?? 0;
  const r2 = radius * radius;
  const heap = new PixelHeap();
  for (const p of band) {
    state[p] = BAND;
    time[p] = 0;
    heap.push(p, 0);
  }
  // Plane views of the three channels, so the differences below can stride over one channel at a time.
  const c0 = values;
  const c1 = values.subarray(1);
  const c2 = values.subarray(2);
  const nq = new Int32Array(4);

  while (heap.size > 0) {
    const popped = heap.pop();
    state[popped] = KNOWN;
    neighbours(popped, width, height, nb);
    for (const p of nb) {
      if (p < 0 || state[p] !== INSIDE) continue;
      const px = p % width;
      const py = (p - px) / width;
      const tp = arrivalTime(px, py, width, height, state, time);
      time[p] = tp;

      // grad T at p over neighbours that already have an arrival time.
      neighbours(p, width, height, nq);
      let gx = difference(time, 1, p, nq[0] ?? -1, nq[1] ?? -1, state);
      let gy = difference(time, 1, p, nq[2] ?? -1, nq[3] ?? -1, state);
      const gNorm = Math.hypot(gx, gy);
      if (gNorm > 0) {
        gx /= gNorm;
        gy /= gNorm;
      }

      let sumW = 0;
      let sr = 0;
      let sg = 0;
      let sb = 0;
      const y0 = Math.max(0, py - radius);
      const y1 = Math.min(height - 1, py + radius);
      const x0 = Math.max(0, px - radius);
      const x1 = Math.min(width - 1, px + radius);
      for (let qy = y0; qy <= y1; qy++) {
        const ry = py - qy;
        for (let qx = x0; qx <= x1; qx++) {
          const rx = px - qx;
          const d2 = rx * rx + ry * ry;
          if (d2 > r2 || d2 === 0) continue;
          const q = qy * width + qx;
          if (state[q] === INSIDE) continue;
          const dist = Math.sqrt(d2);
          const dir = Math.max(MIN_DIRECTION, Math.abs(gx * rx + gy * ry) / dist);
          const lev = 1 / (1 + Math.abs(tp - (time[q] ?? 0)));
          const w = (dir * lev) / d2;

          if (!firstOrder) {
            sr += w * (values[q * 3] ?? 0);
            sg += w * (values[q * 3 + 1] ?? 0);
            sb += w * (values[q * 3 + 2] ?? 0);
            sumW += w;
            continue;
          }
          // First-order extrapolation from q: I(q) + grad I(q) . (p - q), grad I over pixels with values.
          neighbours(q, width, height, nq);
          const left = nq[0] ?? -1;
          const right = nq[1] ?? -1;
          const up = nq[2] ?? -1;
          const down = nq[3] ?? -1;
          sr +=
            w *
            ((values[q * 3] ?? 0) +
              difference(c0, 3, q, left, right, state) * rx +
              difference(c0, 3, q, up, down, state) * ry);
          sg +=
            w *
            ((values[q * 3 + 1] ?? 0) +
              difference(c1, 3, q, left, right, state) * rx +
              difference(c1, 3, q, up, down, state) * ry);
          sb +=
            w *
            ((values[q * 3 + 2] ?? 0) +
              difference(c2, 3, q, left, right, state) * rx +
              difference(c2, 3, q, up, down, state) * ry);
          sumW += w;
        }
      }
      // sumW > 0 always: the popped pixel is a 4-neighbour with a value.
      values[p * 3] = Math.min(255, Math.max(0, sr / sumW));
      values[p * 3 + 1] = Math.min(255, Math.max(0, sg / sumW));
      values[p * 3 + 2] = Math.min(255, Math.max(0, sb / sumW));
      state[p] = BAND;
      heap.push(p, tp);
    }
  }

  const out = image.data.slice();
  for (let p = 0; p < n; p++) {
    if (mask.data[p] === 0) continue;
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round(values[p * 3 + c] ?? 0);
  }
  return { width, height, data: out };
}
