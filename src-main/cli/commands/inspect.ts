import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadImageFile } from '../../engine/image/decode';
import { printResult, type Command } from '../command';

export const inspect: Command = {
  name: 'inspect',
  usage: 'inspect IMAGE [--json]',
  summary: 'decode an image as the studio does and print its format, size and hash',
  run: async (args) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' } },
    });
    const file = positionals[0];
    if (!file) throw new Error('inspect needs an IMAGE path');
    const loaded = await loadImageFile(file);
    printResult(
      {
        file: path.resolve(file),
        format: loaded.format,
        width: loaded.image.width,
        height: loaded.image.height,
        bytes: loaded.byteLength,
        sha256: loaded.sha256,
      },
      values.json === true,
    );
  },
};
