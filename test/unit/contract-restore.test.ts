import { describe, expect, it } from 'vitest';
import { INPUT_VALIDATORS } from '../../src-shared/contract/api';
import { ContractViolation } from '../../src-shared/contract/validate';

const validate = (input: unknown) => INPUT_VALIDATORS.startRestore(input, 'input');
const region = { strokes: [{ points: [{ x: 10, y: 12 }], radius: 6 }], rects: [] };

describe('restore requests: crop and region blur', () => {
  it('accept a crop, a blur sigma and a brushed blur region, and keep them', () => {
    const request = {
      imageId: 3,
      task: 'deblur',
      protocol: 'blind',
      crop: { x: 0, y: 5, width: 200, height: 150 },
      blurSigma: 1.5,
      blurRegion: region,
    };
    expect(validate(request)).toEqual(request);
  });

  it.each([
    [
      { task: 'inpaint', blurRegion: region },
      'input.blurRegion is only accepted with task deblur, got task inpaint',
    ],
    [{ task: 'shift', blurSigma: 2 }, 'input.blurSigma is only accepted with task deblur, got task shift'],
    [
      { task: 'deblur', blurRegion: { strokes: [], rects: [{ x: 1, y: 1, width: 0, height: 9 }] } },
      'input.blurRegion marks no pixels: brush the region to blur, or leave blurRegion out to blur everything',
    ],
    [
      {
        task: 'deblur',
        blurRegion: { strokes: [{ points: [{ x: 1, y: 1 }], radius: 4, erase: true }], rects: [] },
      },
      'input.blurRegion marks no pixels',
    ],
    [{ task: 'deblur', blurSigma: 0.1 }, 'input.blurSigma must be >= 0.3'],
    [{ task: 'deblur', blurSigma: 9 }, 'input.blurSigma must be <= 5'],
    [{ task: 'deblur', blurRegion: { strokes: [] } }, 'input.blurRegion.rects is required'],
    [{ task: 'inpaint', crop: { x: -1, y: 0, width: 5, height: 5 } }, 'input.crop.x must be >= 0'],
    [{ task: 'inpaint', crop: { x: 0, y: 0, width: 0, height: 5 } }, 'input.crop.width must be >= 1'],
    [{ task: 'inpaint', crop: { x: 0.5, y: 0, width: 5, height: 5 } }, 'input.crop.x must be an integer'],
  ])('refuse %j with a message naming the field', (fields, message) => {
    const request = { imageId: 1, protocol: 'reference', ...fields };
    expect(() => validate(request)).toThrow(ContractViolation);
    expect(() => validate(request)).toThrow(message);
  });

  it('still let other tasks carry a blur kernel, as they always could', () => {
    expect(validate({ imageId: 1, task: 'inpaint', protocol: 'reference', blurKernel: 7 })).toMatchObject({
      blurKernel: 7,
    });
  });
});
