import { describe, expect, it } from 'vitest';
import { INPUT_VALIDATORS } from '../../src-shared/contract/api';
import { ContractViolation } from '../../src-shared/contract/validate';

describe('language model contract validators', () => {
  it('accept well-formed requests', () => {
    expect(INPUT_VALIDATORS.importLm({ path: '/m/a.gguf' }, 'input')).toEqual({ path: '/m/a.gguf' });
    expect(INPUT_VALIDATORS.selectLm({ id: 0 }, 'input')).toEqual({ id: 0 });
    expect(
      INPUT_VALIDATORS.uploadLmChunk(
        { uploadId: '0b6c-41d2-9e', name: 'a.gguf', offset: 0, total: 4, base64: 'R0dVRg==' },
        'input',
      ),
    ).toMatchObject({ uploadId: '0b6c-41d2-9e', total: 4 });
  });

  it.each([
    ['importLm', { path: '' }, /input.path must be at least 1 characters long/],
    ['selectLm', { id: -1 }, /input.id must be >= 0/],
    ['removeLm', { id: 1.5 }, /input.id must be an integer/],
    ['startLmDownload', { uri: '' }, /input.uri must be at least 1 characters long/],
    // The id names a folder under the data folder: nothing that could climb out of it.
    [
      'uploadLmChunk',
      { uploadId: '../../etc', name: 'a.gguf', offset: 0, total: 1, base64: '' },
      /8 to 64 letters/,
    ],
    [
      'uploadLmChunk',
      { uploadId: 'abcdefgh', name: 'a.gguf', offset: -1, total: 1, base64: '' },
      /offset must be >= 0/,
    ],
    ['listLms', { all: true }, /input must be empty/],
  ] as const)('%s refuses %j', (method, input, message) => {
    expect(() => INPUT_VALIDATORS[method](input as never, 'input')).toThrow(ContractViolation);
    expect(() => INPUT_VALIDATORS[method](input as never, 'input')).toThrow(message);
  });
});
