import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportRequest } from '../../src-shared/contract/export';
import {
  defaultFileName,
  existingFiles,
  exportTarget,
  exportWithSaveDialog,
  overwriteQuestion,
  saveDialogSpec,
  type OverwriteQuestion,
  type SaveDialogPort,
  type SaveDialogSpec,
} from '../../src-main/electron/export-dialog';
import { StudioError } from '../../src-main/engine/errors';
import { exportRun } from '../../src-main/engine/export/export-run';
import { writeImageFile } from '../../src-main/engine/image/encode';
import { loadImageFile } from '../../src-main/engine/image/decode';
import { view128 } from '../../src-main/engine/image/view';
import type { RunDetails } from '../../src-main/engine/restore/restore-job';
import { upsertImage } from '../../src-main/engine/store/images';
import { completeRun, startRun } from '../../src-main/engine/store/runs';
import { openDatabase, type Db } from '../../src-main/engine/store/store';
import { makeTempDir } from '../helpers/images';

const ALL: ExportRequest['items'] = ['image', 'grids-json', 'grids-csv', 'grids-png', 'sheet', 'record'];

describe('save dialog for an export', () => {
  it('suggests the name the exports folder would use, filtered to the first item’s type', () => {
    const photo: ExportRequest = { runId: 7, items: ALL, source: 'photo' };
    expect(defaultFileName(7, photo)).toBe('run-7-photo.png');
    expect(defaultFileName(7, { ...photo, source: 'view', format: 'jpeg' })).toBe('run-7-restored.jpg');
    expect(defaultFileName(7, { runId: 7, items: ['record', 'grids-csv'] })).toBe('run-7-grids.csv');
    // A full-resolution run's per-tile items name the tile as the studio counts it; its grids JSON holds them all.
    expect(defaultFileName(7, { runId: 7, items: ['sheet'], tile: 2 })).toBe('run-7-tile-3-sheet.png');
    expect(defaultFileName(7, { runId: 7, items: ['grids-json'], tile: 2 })).toBe('run-7-grids.json');
    expect(exportTarget('/out/cat.png', ['image', 'grids-png', 'grids-csv'], 'png', 0).names).toMatchObject({
      'grids-png': 'cat-tile-1-grids.png',
      'grids-csv': 'cat-grids.csv',
    });

    const spec = saveDialogSpec(7, { ...photo, format: 'jpeg' }, '/home/me/Pictures');
    expect(spec.defaultPath).toBe(path.join('/home/me/Pictures', 'run-7-photo.jpg'));
    expect(spec.filters[0]).toEqual({ name: 'JPEG image', extensions: ['jpg', 'jpeg'] });
    expect(spec.title).toContain('the 5 other files go next to it');
    expect(spec.properties).toContain('showOverwriteConfirmation');

    const single = saveDialogSpec(3, { runId: 3, items: ['sheet'] }, '/tmp');
    expect(single.title).toBe('Export run 3');
    expect(single.filters[0]).toEqual({ name: 'PNG image', extensions: ['png'] });
    expect(() => saveDialogSpec(3, { runId: 3, items: [] }, '/tmp')).toThrow(StudioError);
  });

  it('writes the first item under the picked name and the others beside it, never twice the same name', () => {
    const target = exportTarget('/out/beach.png', ALL, 'png');
    expect(target.folder).toBe('/out');
    expect(target.names).toEqual({
      image: 'beach.png',
      sheet: 'beach-sheet.png',
      'grids-png': 'beach-grids.png',
      'grids-json': 'beach-grids.json',
      'grids-csv': 'beach-grids.csv',
      record: 'beach-record.json',
    });
    expect(new Set(Object.values(target.names)).size).toBe(6);

    // An extension the format accepts is kept as typed; a missing or foreign one gets the format's added.
    expect(exportTarget('/out/Beach.JPEG', ['image', 'sheet'], 'jpeg').names).toMatchObject({
      image: 'Beach.JPEG',
      sheet: 'Beach-sheet.png',
    });
    expect(exportTarget('/out/beach', ['image'], 'webp').names.image).toBe('beach.webp');
    expect(exportTarget('/out/notes.txt', ['grids-json', 'record'], 'png').names).toMatchObject({
      'grids-json': 'notes.txt.json',
      record: 'notes.txt-record.json',
    });
  });

  it('asks about files that exist, except the one the save dialog already asked about', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const chosen = path.join(dir, 'beach.png');
      const target = exportTarget(chosen, ALL, 'png');
      expect(await existingFiles(target, ALL)).toEqual([]);
      fs.writeFileSync(chosen, 'old');
      expect(overwriteQuestion(await existingFiles(target, ALL), chosen)).toBeNull();

      fs.writeFileSync(path.join(dir, 'beach-record.json'), '{}');
      const one = overwriteQuestion(await existingFiles(target, ALL), chosen);
      expect(one?.message).toBe(`beach-record.json already exists in ${dir}. Replace it?`);
      expect(one?.buttons).toEqual(['Replace', 'Cancel']);
      expect(one?.cancelId).toBe(1);

      fs.writeFileSync(path.join(dir, 'beach-grids.csv'), 'x');
      const two = overwriteQuestion(await existingFiles(target, ALL), chosen);
      expect(two?.message).toBe(`2 files of this export already exist in ${dir}. Replace them?`);
      expect(two?.detail.split('\n').sort()).toEqual(['beach-grids.csv', 'beach-record.json']);
      // Items not being exported are not asked about.
      expect(await existingFiles(target, ['image', 'sheet'])).toEqual([chosen]);
    } finally {
      await cleanup();
    }
  });
});

describe('exporting a finished run through the save dialog', () => {
  let dataDir: string;
  let cleanup: () => Promise<void>;
  let db: Db;
  let runId: number;

  beforeAll(async () => {
    ({ dir: dataDir, cleanup } = await makeTempDir());
    db = openDatabase(dataDir);
    const photo = (await loadImageFile(path.resolve('resources', 'samples', 'coffee.png'))).image;
    const image = upsertImage(db, {
      path: '/samples/coffee.png',
      name: 'coffee.png',
      sha256: 'cd'.repeat(32),
      width: photo.width,
      height: photo.height,
      byteLength: 1,
      format: 'png',
      thumbnail: Buffer.from([1]),
    });
    runId = startRun(db, {
      imageId: image.id,
      task: 'deblur',
      protocol: 'reference',
      params: { imageId: image.id, task: 'deblur', protocol: 'reference', blurKernel: 7 },
      tokenizerId: 'v2l-default',
      lmId: 'v2l-lm',
    });
    // A run's files as a restoration leaves them; the words are arbitrary image-word ids.
    const dir = path.join(dataDir, 'runs', String(runId));
    fs.mkdirSync(dir, { recursive: true });
    const view = view128(photo);
    const outputs: Record<string, string> = {};
    for (const kind of ['original', 'corrupted', 'decoded', 'result']) {
      outputs[kind] = path.join(dir, `${kind}.png`);
      await writeImageFile(outputs[kind], view, { format: 'png' }, { overwrite: true });
    }
    const ids = Array.from({ length: 256 }, (_, i) => 300 + i);
    const details: RunDetails = {
      cleanIds: ids,
      corruptedIds: ids.map((id, i) => (i % 3 === 0 ? id + 1000 : id)),
      resultIds: ids.map((id, i) => (i % 5 === 0 ? id + 2000 : id)),
      predictedCells: ids.map((_, i) => i),
      confidence: ids.map(() => 0.5),
      window: null,
    };
    outputs['details'] = path.join(dir, 'run.json');
    fs.writeFileSync(outputs['details'], JSON.stringify(details));
    completeRun(db, runId, {
      tokensBefore: details.corruptedIds,
      tokensAfter: details.resultIds,
      metrics: { psnr: 20, ssim: 0.5, token_accuracy: 0.8 },
      timings: { total: 1 },
      outputs,
    });
  });
  afterAll(async () => {
    db.close();
    await cleanup();
  });

  /**
   * The shell's side, scripted: it answers the save dialog and the replace question as a user would, and writes
   * with the engine's real export. It is the only stand-in, because Electron's dialogs cannot open here.
   */
  function scripted(answers: { file: string | null; replace?: boolean }) {
    const asked: { specs: SaveDialogSpec[]; questions: OverwriteQuestion[] } = { specs: [], questions: [] };
    const port: SaveDialogPort = {
      chooseFile: (spec) => {
        asked.specs.push(spec);
        return Promise.resolve(answers.file);
      },
      confirm: (question) => {
        asked.questions.push(question);
        return Promise.resolve(answers.replace === true);
      },
      write: (request, target) => exportRun({ db, dataDir }, request, target),
    };
    return { port, asked };
  }

  it('writes every item where the user picked, and nothing into the data folder', async () => {
    const out = path.join(dataDir, 'picked');
    fs.mkdirSync(out);
    const { port, asked } = scripted({ file: path.join(out, 'cup.webp') });
    const result = await exportWithSaveDialog({ runId, items: ALL, format: 'webp', quality: 80 }, out, port);
    expect(asked.specs[0]?.defaultPath).toBe(path.join(out, `run-${runId}-restored.webp`));
    expect(asked.questions).toEqual([]);
    expect(result?.folder).toBe(out);
    expect(result?.files.map((f) => f.name).sort()).toEqual([
      'cup-grids.csv',
      'cup-grids.json',
      'cup-grids.png',
      'cup-record.json',
      'cup-sheet.png',
      'cup.webp',
    ]);
    expect((await sharp(path.join(out, 'cup.webp')).metadata()).format).toBe('webp');
    expect(fs.readFileSync(path.join(out, 'cup-grids.csv'), 'utf8').split('\n')).toHaveLength(258);
    expect(fs.existsSync(path.join(dataDir, 'exports'))).toBe(false);
  });

  it('writes nothing when the user cancels the save dialog', async () => {
    const out = path.join(dataDir, 'cancelled');
    fs.mkdirSync(out);
    const { port, asked } = scripted({ file: null });
    expect(await exportWithSaveDialog({ runId, items: ALL }, out, port)).toBeNull();
    expect(asked.specs).toHaveLength(1);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('replaces files beside the picked one only when the user says so', async () => {
    const out = path.join(dataDir, 'again');
    fs.mkdirSync(out);
    const chosen = path.join(out, 'cup.png');
    fs.writeFileSync(chosen, 'not a png');
    fs.writeFileSync(path.join(out, 'cup-sheet.png'), 'not a png either');
    const request: ExportRequest = { runId, items: ['image', 'sheet', 'record'] };

    const keep = scripted({ file: chosen, replace: false });
    expect(await exportWithSaveDialog(request, out, keep.port)).toBeNull();
    expect(keep.asked.questions[0]?.message).toBe(`cup-sheet.png already exists in ${out}. Replace it?`);
    expect(fs.readFileSync(chosen, 'utf8')).toBe('not a png');
    expect(fs.existsSync(path.join(out, 'cup-record.json'))).toBe(false);

    const replace = scripted({ file: chosen, replace: true });
    const result = await exportWithSaveDialog(request, out, replace.port);
    expect(result?.files).toHaveLength(3);
    expect((await sharp(chosen).metadata()).width).toBe(128);
    expect((await sharp(path.join(out, 'cup-sheet.png')).metadata()).format).toBe('png');
  });
});
