import { describe, expect, it } from 'vitest';

import { paperShiftView } from '../../src-main/engine/corrupt/shift';
import { corruptView } from '../../src-main/engine/restore/corruption';
import { view128 } from '../../src-main/engine/image/view';
import { parseShiftVariant } from '../../src-main/cli/restore-set';
import { CELL_SHIFT, evalCorruption, evalShift } from '../../src-main/engine/restore/corruption';
import { noiseImage } from '../helpers/images';

describe("evaluation shifts: the authors' crop and the token-aligned variant", () => {
  const wide = noiseImage(192, 128, 4);
  const square = noiseImage(150, 150, 5);

  it("crops a photo that is not square bottom-right, as the authors' script does", () => {
    const shift = evalShift(wide, 'auto');
    expect(shift.cropped).toBeDefined();
    // 192x128: the centre crop starts at x = 32, the bottom-right one at x = 64, so content moves 32 px left.
    expect([shift.dx, shift.dy]).toEqual([-32, 0]);
    expect(corruptView(view128(wide), shift).image.data).toEqual(paperShiftView(wide).image.data);
    expect(evalShift(wide, 'cells')).toEqual({ task: 'shift', ...CELL_SHIFT });
  });

  it('moves a square photo by one token cell unless the crop is asked for, which then moves nothing', () => {
    expect(evalShift(square, 'auto')).toEqual({ task: 'shift', ...CELL_SHIFT });
    const crop = evalShift(square, 'crop');
    expect([crop.dx, crop.dy]).toEqual([0, 0]);
    expect(corruptView(view128(square), crop).image.data).toEqual(view128(square).data);
  });

  it('keeps the other tasks as they were, and refuses an unknown variant', () => {
    expect(evalCorruption('rotate', 3, wide, 'crop')).toEqual({ task: 'rotate', quarterTurns: 1 });
    expect(evalCorruption('shift', 0)).toEqual({ task: 'shift', ...CELL_SHIFT });
    expect(parseShiftVariant(undefined)).toBe('auto');
    expect(() => parseShiftVariant('left')).toThrow(/crop, cells or auto/);
  });
});
