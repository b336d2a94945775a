import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageFile } from '../../src-main/engine/image/decode';
import { view128 } from '../../src-main/engine/image/view';
import { FrozenLm } from '../../src-main/engine/llm/frozen-lm';
import { defaultLmPath } from '../../src-main/engine/llm/models';
import { RemoteLm } from '../../src-main/engine/llm/remote-lm';
import type { Corruption } from '../../src-main/engine/restore/corruption';
import { restoreView } from '../../src-main/engine/restore/restore-view';
import { defaultPackDir } from '../../src-main/engine/tokenizer/packs';
import { V2LTokenizer } from '../../src-main/engine/tokenizer/tokenizer';
import { llama2TokenTable, writeTinyLlamaGguf } from '../helpers/gguf';
import { llamaServerBinary, startLlamaServer, type LlamaServer } from '../helpers/llama-server';

/**
 * The remote backend against llama.cpp's real llama-server on 127.0.0.1, built from the source node-llama-cpp ships
 * (the first run builds it into a cache outside the repository: several minutes).
 */
describe('language model served by llama-server', () => {
  const servers: LlamaServer[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-remote-'));
  let tokenizer: V2LTokenizer | undefined;
  let local: FrozenLm | undefined;
  let server: LlamaServer;

  beforeAll(async () => {
    llamaServerBinary();
    server = await startLlamaServer(defaultLmPath(), ['--api-key', 'test-key']);
    servers.push(server);
    tokenizer = await V2LTokenizer.load(await defaultPackDir());
    local = await FrozenLm.load(defaultLmPath());
  }, 40 * 60_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => s.stop()));
    await local?.dispose();
    await tokenizer?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each<[string, Corruption]>([
    ['inpaint (sequential prompts)', { task: 'inpaint' }],
    ['deblur (batched prompts)', { task: 'deblur', kernelSize: 9 }],
  ])(
    'restores %s with the same words as the local backend',
    async (_, corruption) => {
      await using remote = await RemoteLm.connect(server.url, { apiKey: 'test-key' });
      expect(remote.name).toBe(path.basename(defaultLmPath()));
      expect(remote.device).toBe(`llama-server at ${server.url}`);
      const original = view128((await loadImageFile('resources/samples/astronaut.png')).image);
      const request = { original, corruption, protocol: 'reference' as const, seed: 3 };
      if (!tokenizer || !local) throw new Error('models did not load');
      const here = await restoreView(tokenizer, local, request);
      const there = await restoreView(tokenizer, remote, request);
      expect(there.predictedCells).toEqual(here.predictedCells);
      expect(there.resultIds).toEqual(here.resultIds);
      // The words are the model's, not copies of the clean image: some differ from it.
      expect(here.metrics.tokenAccuracy).toBeLessThan(1);
    },
    180_000,
  );

  it('refuses a request without the API key, naming the fix', async () => {
    await expect(RemoteLm.connect(server.url)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(RemoteLm.connect(server.url, { apiKey: 'wrong' })).rejects.toThrow(
      /check the key in Settings/,
    );
  });

  it("refuses a server whose vocabulary is not LLaMA-2's, though it has 32,000 tokens", async () => {
    // LLaMA-2's table with two pieces swapped: "▁hello" now has another id, as in a look-alike vocabulary.
    const tokens = [...llama2TokenTable().tokens];
    [tokens[22172], tokens[22173]] = [tokens[22173] ?? '', tokens[22172] ?? ''];
    const file = path.join(dir, 'swapped.gguf');
    writeTinyLlamaGguf(file, { tokens });
    const foreign = await startLlamaServer(file);
    servers.push(foreign);
    await expect(RemoteLm.connect(foreign.url)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    await expect(RemoteLm.connect(foreign.url)).rejects.toThrow(/does not use LLaMA-2's vocabulary/);
  }, 120_000);

  it('says when nothing listens at the address', async () => {
    await expect(RemoteLm.connect('http://127.0.0.1:9', { retries: 0 })).rejects.toThrow(
      /Cannot reach the server at http:\/\/127\.0\.0\.1:9: is llama-server running there\?/,
    );
    await expect(RemoteLm.connect('ftp://example.org')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
