import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../src-shared/contract/api';
import { defaultLmPath } from '../../src-main/engine/llm/models';
import { ModelSet } from '../../src-main/engine/restore/models';

describe('ModelSet', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-models-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps a model while the settings stand, and loads the new choice at the next use after they change', async () => {
    let settings: Settings = { ...DEFAULT_SETTINGS, threads: 1 };
    await using models = new ModelSet(() => settings);
    const first = await models.lm();
    expect(await models.lm()).toBe(first);

    // Settings saved while a job held `first`: nothing changes under it until the models are asked for again.
    const chosen = path.join(dir, 'chosen.gguf');
    fs.copyFileSync(defaultLmPath(), chosen);
    settings = { ...settings, lmFile: chosen };
    const second = await models.lm();
    expect(second).not.toBe(first);
    expect(await models.lm()).toBe(second);
    // The model loaded under the old settings was released.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(first.generate([[1, 2, 3]], 1)).rejects.toThrow(/already unloaded/);
  });
});
