import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/api/dispatch';
import { shellApi } from '../../src-main/api/shell-api';
import { Engine } from '../../src-main/engine/engine';
import { readEdits, saveEdits } from '../../src-main/engine/store/edits';

const RESOURCES = path.resolve('resources');
/** An editor document as the renderer writes it (its shape is the renderer's business; the engine keeps JSON). */
const EDITED = JSON.stringify({
  crop: null,
  mask: [{ kind: 'rect', x: 5, y: 6, width: 70, height: 80 }],
  blurKernel: 11,
});

describe('kept edits', () => {
  let dir: string;
  let engine: Engine;
  const open = () =>
    new Engine({ dataDir: dir, resourcesDir: RESOURCES, version: 'test', transport: 'server' });
  // Through the dispatcher, as every shell calls the engine (the dialogs are not part of this test).
  const noDialog = () => Promise.reject(new Error('no dialogs here'));
  const call = (method: string, input: unknown) =>
    dispatch(shellApi(engine, { openWithDialog: noDialog, exportWithDialog: noDialog }), method, input);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-edits-'));
    engine = open();
  });
  afterEach(async () => {
    await engine.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('are kept per photo in the store and survive a restart of the engine', async () => {
    const { imageId } = await engine.openSample({ id: 'astronaut' });
    expect(await call('getEdits', { imageId })).toEqual({
      ok: true,
      value: { doc: null, savedAt: null },
    });
    const json = EDITED;
    const saved = await call('saveEdits', { imageId, doc: json });
    expect(saved.ok).toBe(true);

    await engine.dispose();
    engine = open();
    const read = await engine.getEdits({ imageId });
    expect(read.doc).toBe(json);
    expect(Date.parse(read.savedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);

    // A later save replaces the earlier one.
    await engine.saveEdits({ imageId, doc: '{"mask":[]}' });
    expect((await engine.getEdits({ imageId })).doc).toBe('{"mask":[]}');
  });

  it('are refused for a photo the library does not have, or when they are not a JSON object', async () => {
    const { imageId } = await engine.openSample({ id: 'astronaut' });
    const unknown = await call('saveEdits', { imageId: imageId + 100, doc: '{}' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    for (const doc of ['[1]', '{"mask": [', '"text"']) {
      const refused = await call('saveEdits', { imageId, doc });
      expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    }
    expect((await engine.getEdits({ imageId })).doc).toBeNull();
  });

  it('cannot be stored as invalid JSON, even by a caller that skips the engine', async () => {
    const { imageId } = await engine.openSample({ id: 'astronaut' });
    await engine.dispose();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path.join(dir, 'studio.sqlite'));
    try {
      expect(() => saveEdits(db, imageId, '{broken')).toThrow(/CHECK constraint/);
      expect(readEdits(db, imageId)).toBeUndefined();
    } finally {
      db.close();
    }
    engine = open();
  });
});
