import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { STORED_BANK_CORRUPTIONS } from '../../src-main/engine/restore/corruption';
import {
  BANK_FILE,
  computeBank,
  corruptionKey,
  degradationBank,
  readStoredBank,
  writeStoredBank,
} from '../../src-main/engine/restore/bank';
import { SampleLibrary } from '../../src-main/engine/samples';
import { defaultPackDir } from '../../src-main/engine/tokenizer/packs';
import { V2LTokenizer } from '../../src-main/engine/tokenizer/tokenizer';
import { makeTempDir } from '../helpers/images';

const SAMPLES = path.resolve(import.meta.dirname, '..', '..', 'resources', 'samples');

describe('blind degradation bank', () => {
  let tokenizer: V2LTokenizer;
  let samplePaths: string[];

  beforeAll(async () => {
    tokenizer = await V2LTokenizer.load(await defaultPackDir());
    // In the order the studio lists them, which is the order the stored bank was written in.
    const samples = new SampleLibrary(SAMPLES);
    samplePaths = samples.list().map((s) => samples.pathOf(s.id));
  });
  afterAll(async () => {
    await tokenizer.dispose();
  });

  it('keys degradations independently of field order', () => {
    expect(corruptionKey({ task: 'shift', dx: 8, dy: 4 })).toBe(
      corruptionKey({ dy: 4, dx: 8, task: 'shift' } as const),
    );
    expect(corruptionKey({ task: 'shift', dx: 8, dy: 4 })).not.toBe(
      corruptionKey({ task: 'shift', dx: 4, dy: 8 }),
    );
  });

  it("the shipped pack's stored banks are the words its encoder gives today", async () => {
    const dir = await defaultPackDir();
    expect((await readdir(dir)).includes(BANK_FILE), `run: npm run -s v2l -- bank`).toBe(true);
    for (const corruption of [STORED_BANK_CORRUPTIONS[0], STORED_BANK_CORRUPTIONS.at(-1)]) {
      if (!corruption) throw new Error('no stored corruptions');
      const fresh = await computeBank(tokenizer, samplePaths, corruption);
      const stored = await readStoredBank(tokenizer, samplePaths, corruption);
      expect(stored, 'the stored bank is stale or missing: run npm run -s v2l -- bank').not.toBeNull();
      expect(stored).toHaveLength(samplePaths.length * 2);
      expect(stored).toEqual(fresh);
      expect(await degradationBank(tokenizer, samplePaths, corruption)).toEqual(fresh);
      // The degradation changes words: a bank of clean words twice would teach the LM nothing.
      expect(fresh.some((e) => e.clean.some((id, i) => id !== e.degraded[i]))).toBe(true);
    }
  });

  it('ignores stored banks made from other photos and tokenises instead', async () => {
    const { dir, cleanup } = await makeTempDir();
    const pack = path.join(dir, 'pack');
    await mkdir(pack);
    const source = await defaultPackDir();
    for (const f of await readdir(source)) {
      if (f !== 'reference') await copyFile(path.join(source, f), path.join(pack, f));
    }
    const copy = await V2LTokenizer.load(pack);
    try {
      const corruption = { task: 'rotate', quarterTurns: 2 } as const;
      // Stored from two photos only; asked for with all of them.
      await writeStoredBank(copy, samplePaths.slice(0, 2), [corruption]);
      const bank = await degradationBank(copy, samplePaths, corruption);
      expect(bank).toHaveLength(samplePaths.length * 2);
      expect(bank).toEqual(await computeBank(copy, samplePaths, corruption));
      const two = await degradationBank(copy, samplePaths.slice(0, 2), corruption);
      expect(two).toEqual(bank.slice(0, 4));
    } finally {
      await copy.dispose();
      await cleanup();
    }
  });
});
