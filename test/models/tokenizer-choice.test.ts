import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src-main/engine/engine';
import { modelInfo } from '../../src-main/engine/export/model-info';
import { defaultResourcesDir } from '../../src-main/engine/paths';
import { chosenPackDir } from '../../src-main/engine/tokenizer/packs';

describe('the tokenizer pack chosen in Settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-pack-choice-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is the named folder under resources/models, the default when none is named, and an error when gone', async () => {
    for (const name of ['alpha', 'beta']) {
      fs.mkdirSync(path.join(dir, 'models', name), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'models', name, 'manifest.json'),
        JSON.stringify({ format: 'v2l-pack' }),
      );
    }
    const env = { V2L_RESOURCES_DIR: dir };
    expect(await chosenPackDir('beta', env)).toBe(path.join(dir, 'models', 'beta'));
    // Two installed and none named: the default is ambiguous, and says so.
    await expect(chosenPackDir('', env)).rejects.toThrow(/V2L_PACK/);
    await expect(chosenPackDir('gamma', env)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('(installed: alpha, beta)') as unknown,
    });
    // The Models line names the chosen pack, not the default.
    const saved = process.env['V2L_RESOURCES_DIR'];
    process.env['V2L_RESOURCES_DIR'] = dir;
    try {
      expect((await modelInfo('', 'beta')).tokenizer?.folder).toBe(path.join(dir, 'models', 'beta'));
    } finally {
      if (saved === undefined) delete process.env['V2L_RESOURCES_DIR'];
      else process.env['V2L_RESOURCES_DIR'] = saved;
    }
  });

  it('is listed and validated by the engine', async () => {
    const engine = new Engine({
      dataDir: path.join(dir, 'data'),
      resourcesDir: defaultResourcesDir(),
      version: 'test',
      transport: 'server',
    });
    try {
      const packs = await engine.listTokenizerPacks();
      expect(packs.map((p) => [p.id, p.inUse])).toEqual([['v2l-default', true]]);
      await expect(engine.updateSettings({ tokenizerPack: 'no-such-pack' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect((await engine.getSettings()).tokenizerPack).toBe('');
      expect((await engine.updateSettings({ tokenizerPack: 'v2l-default' })).tokenizerPack).toBe(
        'v2l-default',
      );
    } finally {
      await engine.dispose();
    }
  });
});
