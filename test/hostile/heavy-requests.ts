import { checkRequestComplexity, REQUEST_LIMITS } from '../../src-main/engine/restore/complexity';
import type { RestoreRequest } from '../../src-shared/contract/restore';

type Point = { x: number; y: number };

/**
 * The heaviest restoration requests the budgets let through on a width x height photo, by what they make the
 * engine draw: every stroke, point and brushed pixel allowed, every rectangle over the whole photo, erasers,
 * and a canvas extended up to the pixel limit.
 */
export function heaviestRequests(
  width: number,
  height: number,
  maxPixels = 100_000_000,
): [string, Record<string, unknown>][] {
  const strokes = REQUEST_LIMITS.strokes;
  const pointsPerStroke = Math.floor(REQUEST_LIMITS.points / strokes);
  // Short segments of a small brush: each visits about (2r+1)^2 pixels, so the brushed-pixel budget is met.
  const segments = strokes * (pointsPerStroke - 1);
  const widest = Math.max(1, Math.ceil(Math.sqrt(REQUEST_LIMITS.paintedPixels / segments) / 2));
  const withRadius = (radius: number, erase: boolean) =>
    Array.from({ length: strokes }, (_, s) => ({
      points: Array.from({ length: pointsPerStroke }, (_, i): Point => ({
        x: (s * 97 + i) % width,
        y: (s * 53 + i * 3) % height,
      })),
      radius,
      ...(erase && s % 2 === 1 ? { erase: true } : {}),
    }));
  // The widest brush whose strokes the budget still accepts.
  const brush = (erase: boolean) => {
    for (let radius = widest; radius > 1; radius--) {
      const mask = { strokes: withRadius(radius, erase), rects: [] };
      const request = { imageId: 1, task: 'inpaint', protocol: 'blind', mask } as RestoreRequest;
      try {
        checkRequestComplexity(request, { width, height }, maxPixels);
        return mask.strokes;
      } catch {
        // Over budget: try a narrower brush.
      }
    }
    return withRadius(1, erase);
  };
  const wholeRects = Array.from({ length: REQUEST_LIMITS.rects }, () => ({ x: 0, y: 0, width, height }));
  const grow = Math.floor((Math.sqrt(maxPixels) - Math.max(width, height)) / 2);
  return [
    [
      'every stroke, point and brushed pixel',
      { task: 'inpaint', mask: { strokes: brush(false), rects: [] } },
    ],
    [
      'strokes and erasers over whole-photo rectangles',
      { task: 'inpaint', mask: { strokes: brush(true), rects: wholeRects } },
    ],
    [
      'a blur region of whole-photo rectangles',
      { task: 'deblur', blurRegion: { strokes: brush(false), rects: wholeRects } },
    ],
    ['the whole photo at 128 px (rotate)', { task: 'rotate' }],
    ...(grow > 0
      ? [
          [
            'a canvas extended to the pixel limit',
            { task: 'outpaint', extend: { top: grow, right: grow, bottom: grow, left: grow } },
          ] as [string, Record<string, unknown>],
        ]
      : []),
  ];
}
