// Renderer modules with no DOM in them, tested in Node; type-checked with the renderer (tsconfig.web.json).
import { describe, expect, it } from 'vitest';
import type { EditorDoc } from '../../src-renderer/src/editor/document';
import { EMPTY_DOC } from '../../src-renderer/src/run/task-sides';
import { parseSavedWork, serializeWork } from '../../src-renderer/src/editor/saved-work';
import { imagePx } from '../../src-renderer/src/geometry/spaces';

const PHOTO = { width: 512, height: 512 };

/** A document that uses every field, with values other than the defaults. */
const EDITED: EditorDoc = {
  crop: { x: imagePx(10), y: imagePx(20), width: imagePx(300), height: imagePx(200) },
  mask: [
    {
      kind: 'stroke',
      points: [
        { x: imagePx(1), y: imagePx(2) },
        { x: imagePx(40.5), y: imagePx(60) },
      ],
      radius: 13,
      erase: false,
    },
    { kind: 'rect', x: 5, y: 6, width: 70, height: 80 },
    { kind: 'invert' },
    { kind: 'stroke', points: [{ x: imagePx(9), y: imagePx(9) }], radius: 4, erase: true },
  ],
  extend: { top: 0, right: 64, bottom: 32, left: 0 },
  shift: { dx: -8, dy: 16 },
  blurKernel: 11,
  blurMode: 'region',
  blurSigma: 2.5,
  quarterTurns: 3,
  fullResolution: true,
};

/** The document alone, as a build that kept no task wrote it. */
const docOnly = (doc: object) => JSON.stringify(doc);
const parseDoc = (json: string) => parseSavedWork(json, PHOTO)?.doc ?? null;

describe('parseSavedWork', () => {
  it('reads back everything it wrote: the document, the task and the protocol', () => {
    const work = { doc: EDITED, task: 'deblur', protocol: 'blind' } as const;
    expect(parseSavedWork(serializeWork(work), PHOTO)).toEqual(work);
  });

  it('takes work without a task or protocol, and leaves them to the studio', () => {
    expect(parseSavedWork(docOnly(EDITED), PHOTO)).toEqual({ doc: EDITED, task: null, protocol: null });
  });

  it('refuses a task or protocol it does not know', () => {
    expect(parseSavedWork(JSON.stringify({ ...EDITED, task: 'denoise' }), PHOTO)).toBeNull();
    expect(parseSavedWork(JSON.stringify({ ...EDITED, protocol: 'oracle' }), PHOTO)).toBeNull();
  });

  it('gives missing fields their defaults (a document from an older build)', () => {
    const older = Object.fromEntries(
      Object.entries(EDITED).filter(([key]) => key !== 'shift' && key !== 'blurSigma'),
    );
    expect(parseDoc(docOnly(older))).toEqual({
      ...EDITED,
      shift: EMPTY_DOC.shift,
      blurSigma: EMPTY_DOC.blurSigma,
    });
    expect(parseDoc('{}')).toEqual(EMPTY_DOC);
  });

  it.each([
    ['not JSON', '{"mask": ['],
    ['not an object', '[1, 2]'],
    [
      'a crop outside the photo',
      JSON.stringify({ ...EDITED, crop: { x: 400, y: 0, width: 200, height: 10 } }),
    ],
    ['a crop of no pixels', JSON.stringify({ ...EDITED, crop: { x: 0, y: 0, width: 0, height: 10 } })],
    ['an unknown mask step', JSON.stringify({ ...EDITED, mask: [{ kind: 'lasso' }] })],
    [
      'a stroke without points',
      JSON.stringify({ ...EDITED, mask: [{ kind: 'stroke', points: [], radius: 3, erase: false }] }),
    ],
    [
      'a point that is not a number',
      JSON.stringify({
        ...EDITED,
        mask: [{ kind: 'stroke', points: [{ x: 'a', y: 1 }], radius: 3, erase: false }],
      }),
    ],
    [
      'a negative extension',
      JSON.stringify({ ...EDITED, extend: { top: -1, right: 0, bottom: 0, left: 0 } }),
    ],
    ['a kernel the editor does not offer', JSON.stringify({ ...EDITED, blurKernel: 4 })],
    ['a blur mode it does not know', JSON.stringify({ ...EDITED, blurMode: 'motion' })],
    ['four quarter turns', JSON.stringify({ ...EDITED, quarterTurns: 4 })],
  ])('refuses %s as a whole', (_what, json) => {
    expect(parseSavedWork(json, PHOTO)).toBeNull();
  });
});
