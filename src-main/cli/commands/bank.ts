import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultResourcesDir } from '../../engine/paths';
import { writeStoredBank } from '../../engine/restore/bank';
import { STORED_BANK_CORRUPTIONS } from '../../engine/restore/corruption';
import { SampleLibrary } from '../../engine/samples';
import { defaultPackDir } from '../../engine/tokenizer/packs';
import { V2LTokenizer } from '../../engine/tokenizer/tokenizer';
import type { Command } from '../command';

export const bank: Command = {
  name: 'bank',
  usage: 'bank [--pack DIR]',
  summary: "store the blind protocol's degraded sample words in a model pack",
  run: async (args) => {
    const { values } = parseArgs({ args, options: { pack: { type: 'string' } } });
    const tokenizer = await V2LTokenizer.load(
      values.pack ? path.resolve(values.pack) : await defaultPackDir(),
    );
    try {
      const samples = new SampleLibrary(path.join(defaultResourcesDir(), 'samples'));
      const file = await writeStoredBank(
        tokenizer,
        samples.list().map((s) => samples.pathOf(s.id)),
        STORED_BANK_CORRUPTIONS,
      );
      console.log(`Wrote ${STORED_BANK_CORRUPTIONS.length} banks to ${file}`);
    } finally {
      await tokenizer.dispose();
    }
  },
};
