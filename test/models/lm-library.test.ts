import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import llamaTokenizer from 'llama-tokenizer-js';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../src-shared/contract/api';
import { inspectGguf } from '../../src-main/engine/llm/gguf-info';
import { LmLibrary } from '../../src-main/engine/llm/library';
import { defaultLmPath } from '../../src-main/engine/llm/models';
import { ModelSet } from '../../src-main/engine/restore/models';
import { readSettings, writeSettings } from '../../src-main/engine/store/settings';
import { openDatabase, type Db } from '../../src-main/engine/store/store';
import { writeTinyLlamaGguf } from '../helpers/gguf';
import { FrozenLm } from '../../src-main/engine/llm/frozen-lm';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-lmlib-'));
const goodFile = path.join(root, 'user-models', 'tiny.gguf');
const foreignFile = path.join(root, 'user-models', 'foreign.gguf');
fs.mkdirSync(path.dirname(goodFile), { recursive: true });
writeTinyLlamaGguf(goodFile, { seed: 5 });
const foreignTokens = llamaTokenizer.vocabById.slice();
foreignTokens[7000] = 'banana';
writeTinyLlamaGguf(foreignFile, { tokens: foreignTokens });

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('GGUF metadata, read from the header without loading the weights', () => {
  it('reads name, architecture, quantisation, context length, parameters and tensor types', async () => {
    const { info, vocabularyOk, problem } = await inspectGguf(goodFile);
    // token_embd 32000x32, output_norm 32; one block: 2 norms of 32, q/k/v/o 32x32, gate/up 32x64, down 64x32.
    const parameters = 32000 * 32 + 32 + 2 * 32 + 4 * 32 * 32 + 3 * 32 * 64;
    expect(info).toEqual({
      name: 'tiny-llama-test',
      architecture: 'llama',
      quantisation: 'F32',
      tensorTypes: [['F32', 11]],
      contextLength: 4096,
      parameters,
      vocabularySize: 32000,
    });
    expect(vocabularyOk).toBe(true);
    expect(problem).toBeNull();
  });

  it('describes a foreign-vocabulary file and names the first token that differs', async () => {
    const { info, vocabularyOk, problem } = await inspectGguf(foreignFile);
    expect(info.name).toBe('foreign-vocabulary-test');
    expect(vocabularyOk).toBe(false);
    expect(problem).toMatch(/foreign\.gguf does not use LLaMA-2's vocabulary \(token 7000 is "banana"/);
    expect(problem).toMatch(/Use a LLaMA-2-family GGUF/);
  });

  it('reads the quantised file type the bundled model declares', async () => {
    const { info, vocabularyOk } = await inspectGguf(defaultLmPath());
    expect(vocabularyOk).toBe(true);
    expect(info.quantisation).toBe('F16');
    expect(info.architecture).toBe('llama');
    expect(info.parameters).toBeGreaterThan(1_000_000);
  });
});

describe('language model library over a real SQLite store', () => {
  let dataDir: string;
  let db: Db;
  let library: LmLibrary;
  const events: StudioEvent[] = [];

  const open = () => {
    db = openDatabase(dataDir);
    library = new LmLibrary({
      db,
      dataDir,
      emit: (event) => events.push(event),
      settings: () => readSettings(db),
      choose: (lmFile: string) => Promise.resolve(writeSettings(db, { lmFile })),
    });
  };

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(root, 'data-'));
    open();
  });
  afterEach(() => db.close());

  it('always lists the bundled model, selected by default, with the device llama.cpp runs on', async () => {
    const view = await library.list();
    expect(view.models).toHaveLength(1);
    const [bundled] = view.models;
    expect(bundled).toMatchObject({
      id: 0,
      source: 'bundled',
      selected: true,
      vocabularyOk: true,
      problem: null,
    });
    expect(bundled?.file).toBe(defaultLmPath());
    expect(bundled?.bytes).toBe(fs.statSync(defaultLmPath()).size);
    // This machine has no GPU; a machine with a working CUDA/Vulkan/Metal backend reports it here instead.
    expect(view.device).toMatch(/^(CPU|CUDA|Vulkan|Metal)/);
    await expect(library.remove(0)).rejects.toThrow(/bundled model cannot be removed/);
  });

  it('refuses a foreign vocabulary on import, with the cause and the fix, and stores nothing', async () => {
    await expect(library.importFile(foreignFile)).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringMatching(/token 7000 is "banana".*Use a LLaMA-2-family GGUF/s) as unknown,
    });
    await expect(library.importFile(path.join(root, 'nope.gguf'))).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    const notGguf = path.join(root, 'notes.gguf');
    fs.writeFileSync(notGguf, 'just some text');
    await expect(library.importFile(notGguf)).rejects.toThrow(
      /notes\.gguf is not a GGUF language model file/,
    );
    expect((await library.list()).models).toHaveLength(1);
  });

  it('imports by reference, selects, persists across a reopen, and removes without touching the file', async () => {
    const imported = await library.importFile(goodFile);
    expect(imported).toMatchObject({
      source: 'imported',
      file: goodFile,
      selected: false,
      vocabularyOk: true,
    });
    expect(imported.info?.name).toBe('tiny-llama-test');
    expect(imported.bytes).toBe(fs.statSync(goodFile).size);
    // The same file again is the same entry.
    expect((await library.importFile(goodFile)).id).toBe(imported.id);

    const selected = await library.select(imported.id);
    expect(selected.models.filter((m) => m.selected).map((m) => m.id)).toEqual([imported.id]);
    expect(readSettings(db).lmFile).toBe(goodFile);

    db.close();
    open();
    const reopened = await library.list();
    expect(reopened.models.map((m) => [m.id, m.selected])).toEqual([
      [0, false],
      [imported.id, true],
    ]);

    const removed = await library.remove(imported.id);
    expect(removed.models.map((m) => m.id)).toEqual([0]);
    expect(removed.models[0]?.selected).toBe(true);
    expect(readSettings(db).lmFile).toBe('');
    expect(fs.existsSync(goodFile)).toBe(true);
  });

  it('lists an imported file that was moved as unusable, saying why, and refuses to select it', async () => {
    const file = path.join(root, 'movable.gguf');
    fs.copyFileSync(goodFile, file);
    const imported = await library.importFile(file);
    fs.renameSync(file, `${file}.moved`);
    const entry = (await library.list()).models.find((m) => m.id === imported.id);
    expect(entry).toMatchObject({ bytes: 0, vocabularyOk: false });
    expect(entry?.problem).toMatch(/movable\.gguf is gone \(moved or deleted\): import it again/);
    await expect(library.select(imported.id)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    fs.rmSync(`${file}.moved`);
  });

  it('adopts a model file chosen through the lmFile setting as an entry of its own', async () => {
    writeSettings(db, { lmFile: goodFile });
    const view = await library.list();
    expect(view.models.map((m) => [m.source, m.file, m.selected])).toEqual([
      ['bundled', defaultLmPath(), false],
      ['imported', goodFile, true],
    ]);
  });

  it('receives an upload in pieces, refuses a foreign one and deletes it, and deletes its own copy on removal', async () => {
    const upload = async (file: string, uploadId: string) => {
      const bytes = fs.readFileSync(file);
      const piece = 1_000_000;
      let last: Awaited<ReturnType<LmLibrary['uploadChunk']>> | null = null;
      for (let offset = 0; offset < bytes.length; offset += piece) {
        last = await library.uploadChunk({
          uploadId,
          name: path.basename(file),
          offset,
          total: bytes.length,
          base64: bytes.subarray(offset, offset + piece).toString('base64'),
        });
        if (offset + piece < bytes.length) expect(last.model).toBeNull();
      }
      return last;
    };
    await expect(upload(foreignFile, 'upload-foreign-1')).rejects.toThrow(/token 7000 is "banana"/);
    expect(fs.existsSync(path.join(dataDir, 'models', 'uploads', 'upload-foreign-1'))).toBe(false);

    await expect(
      library.uploadChunk({
        uploadId: 'upload-text-1',
        name: 'a.gguf',
        offset: 0,
        total: 5,
        base64: 'aGVsbG8=',
      }),
    ).rejects.toThrow(/a\.gguf is not a GGUF file/);

    const result = await upload(goodFile, 'upload-good-1');
    const model = result?.model;
    expect(model).toMatchObject({ source: 'uploaded', vocabularyOk: true });
    expect(model?.file.startsWith(path.join(dataDir, 'models', 'uploads'))).toBe(true);
    expect(fs.readFileSync(model?.file ?? '').equals(fs.readFileSync(goodFile))).toBe(true);
    await library.remove(model?.id ?? -1);
    expect(fs.existsSync(model?.file ?? '')).toBe(false);
    expect(fs.existsSync(goodFile)).toBe(true);
  });

  it('restorations load the chosen model, and the bundled one again after it is removed', async () => {
    const imported = await library.importFile(goodFile);
    await library.select(imported.id);
    // ModelSet is what restoration jobs get their language model from, reading the same settings.
    const models = new ModelSet(() => readSettings(db));
    try {
      const lm = await models.lm();
      expect(lm).toBeInstanceOf(FrozenLm);
      expect(lm instanceof FrozenLm ? lm.file : '').toBe(goodFile);
      expect(lm.name).toBe('tiny-llama-test');
      // Offload is automatic: where llama.cpp runs on the CPU (this machine), the loaded model says so.
      if ((await library.list()).device === 'CPU') expect(lm.device).toBe('CPU');
      else expect(lm.device).toMatch(/^(CPU|GPU \((cuda|vulkan|metal), \d+ of \d+ layers\))$/);
      const [generation] = await lm.generate([[1, 450, 6635]], 2);
      expect(generation?.ids).toHaveLength(2);
      await library.remove(imported.id);
      await models.dispose();
      const bundled = await models.lm();
      expect(bundled instanceof FrozenLm ? bundled.file : '').toBe(defaultLmPath());
    } finally {
      await models.dispose();
    }
  });
});
