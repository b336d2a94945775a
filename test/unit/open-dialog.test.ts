import { describe, expect, it } from 'vitest';
import type { OpenedImage } from '../../src-shared/contract/api';
import { StudioError } from '../../src-main/engine/errors';
import { openDialogOptions, openPicked } from '../../src-main/electron/open-dialog';

/** An engine's openPath stand-in: every path opens as the next photo id, except one that is not an image. */
function opener() {
  const opened: string[] = [];
  const open = (file: string): Promise<OpenedImage> => {
    opened.push(file);
    if (file.endsWith('notes.jpg')) {
      return Promise.reject(new StudioError('IMAGE_UNSUPPORTED_FORMAT', 'notes.jpg is not an image'));
    }
    return Promise.resolve({
      imageId: opened.length,
      name: file.split('/').at(-1) ?? file,
      width: 8,
      height: 8,
      format: 'png',
      displayUrl: 'data:image/png;base64,',
      displayScale: 1,
    });
  };
  return { opened, open };
}

describe('the desktop open dialog', () => {
  it('lets several photos be picked at once', () => {
    expect(openDialogOptions().properties).toEqual(['openFile', 'multiSelections']);
  });

  it('opens one photo as before, and nothing when cancelled', async () => {
    const { open } = opener();
    expect(await openPicked([], open)).toBeNull();
    expect(await openPicked(['/photos/cat.png'], open)).toMatchObject({ imageId: 1, name: 'cat.png' });
  });

  it('opens each of several for a batch, one that fails keeping its error while the others open', async () => {
    const { open, opened } = opener();
    const picked = await openPicked(['/p/a.png', '/p/notes.jpg', '/p/b.png'], open);
    expect(opened).toEqual(['/p/a.png', '/p/notes.jpg', '/p/b.png']);
    expect(picked).toEqual({
      photos: [
        { name: 'a.png', imageId: 1, error: null },
        {
          name: 'notes.jpg',
          imageId: null,
          error: { code: 'IMAGE_UNSUPPORTED_FORMAT', message: 'notes.jpg is not an image' },
        },
        { name: 'b.png', imageId: 3, error: null },
      ],
    });
  });
});
