import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src-shared/contract/api';
import { getImage, recentImages, upsertImage, type NewImage } from '../../src-main/engine/store/images';
import { MIGRATIONS } from '../../src-main/engine/store/migrations';
import { completeRun, failInterruptedRuns, listRuns, startRun } from '../../src-main/engine/store/runs';
import { readSettings, writeSettings } from '../../src-main/engine/store/settings';
import { openDatabase, schemaVersion, type Db } from '../../src-main/engine/store/store';

const image = (sha: string, name = 'a.png'): NewImage => ({
  path: `/photos/${name}`,
  name,
  sha256: sha.repeat(64 / sha.length),
  width: 640,
  height: 480,
  byteLength: 1234,
  format: 'png',
  thumbnail: Buffer.from([137, 80, 78, 71]),
});

describe('store', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-store-'));
    db = openDatabase(dir);
  });
  afterEach(() => {
    if (db.open) db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the file with WAL, foreign keys and the latest schema version', () => {
    expect(fs.existsSync(path.join(dir, 'studio.sqlite'))).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)?.version);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual([
      'image_edits',
      'images',
      'lm_downloads',
      'lm_models',
      'run_outputs',
      'runs',
      'settings',
    ]);
  });

  it('reopens an existing database without re-running migrations', () => {
    upsertImage(db, image('a'));
    db.close();
    db = openDatabase(dir);
    expect(recentImages(db, 10)).toHaveLength(1);
  });

  it('keeps runs and their outputs when the runs table loses its task CHECK (version 4)', () => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    // A database as version 3 left it, with one run and one output.
    const old = new Database(path.join(dir, 'studio.sqlite'));
    old.pragma('foreign_keys = ON');
    for (const m of MIGRATIONS.filter((m) => m.version <= 3)) old.exec(m.sql);
    old.pragma('user_version = 3');
    const img = upsertImage(old, image('a'));
    const runId = startRun(old, {
      imageId: img.id,
      task: 'shift',
      protocol: 'blind',
      params: { shift: { dx: 8, dy: 8 } },
      tokenizerId: 't',
      lmId: 'l',
    });
    old
      .prepare('INSERT INTO run_outputs (run_id, kind, path) VALUES (?, ?, ?)')
      .run(runId, 'result', '/r.png');
    expect(() => old.prepare("UPDATE runs SET task = 'colourise' WHERE id = ?").run(runId)).toThrow(/CHECK/);
    old.close();

    db = openDatabase(dir);
    expect(schemaVersion(db)).toBe(4);
    expect(listRuns(db, { imageId: img.id, limit: 10 }).map((r) => [r.id, r.task, r.protocol])).toEqual([
      [runId, 'shift', 'blind'],
    ]);
    expect(db.prepare('SELECT run_id, kind, path FROM run_outputs').all()).toEqual([
      { run_id: runId, kind: 'result', path: '/r.png' },
    ]);
    // The registry validates task names now; the table takes any, and still cascades from its image.
    db.prepare("UPDATE runs SET task = 'colourise' WHERE id = ?").run(runId);
    db.prepare('DELETE FROM images WHERE id = ?').run(img.id);
    expect(db.prepare('SELECT COUNT(*) FROM run_outputs').pluck().get()).toBe(0);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('refuses a database from a newer build', () => {
    db.pragma('user_version = 99');
    db.close();
    expect(() => openDatabase(dir)).toThrow(/schema version 99/);
  });

  it('keeps one row per content hash and refreshes its path and time', () => {
    const first = upsertImage(db, image('a', 'one.png'), new Date('2026-01-01T00:00:00Z'));
    upsertImage(db, image('b', 'other.png'), new Date('2026-01-02T00:00:00Z'));
    const again = upsertImage(db, image('a', 'renamed.png'), new Date('2026-01-03T00:00:00Z'));
    expect(again.id).toBe(first.id);
    expect(getImage(db, first.id)?.name).toBe('renamed.png');
    expect(recentImages(db, 10).map((r) => r.name)).toEqual(['renamed.png', 'other.png']);
  });

  it('enforces foreign keys: a run needs an existing image', () => {
    expect(() =>
      startRun(db, {
        imageId: 999,
        task: 'inpaint',
        protocol: 'reference',
        params: {},
        tokenizerId: 't',
        lmId: 'l',
      }),
    ).toThrow(/FOREIGN KEY/);
  });

  it('completes a run and its outputs in one transaction, or not at all', () => {
    const img = upsertImage(db, image('a'));
    const runId = startRun(db, {
      imageId: img.id,
      task: 'deblur',
      protocol: 'blind',
      params: { kernel: 7 },
      tokenizerId: 't',
      lmId: 'l',
    });
    const result = {
      tokensBefore: [300, 301],
      tokensAfter: [302, 303],
      metrics: { psnr: 24.5 },
      timings: { total: 2.5 },
      outputs: { result: '/out/r.png', again: '/out/r.png' },
    };
    // A duplicate output kind violates the primary key midway: the whole completion must roll back.
    db.prepare('INSERT INTO run_outputs (run_id, kind, path) VALUES (?, ?, ?)').run(runId, 'again', '/x');
    expect(() => completeRun(db, runId, result)).toThrow(/UNIQUE/);
    const [pending] = listRuns(db, { limit: 10 });
    expect(pending?.status).toBe('running');
    expect(pending?.outputs).toEqual({ again: '/x' });

    db.prepare('DELETE FROM run_outputs').run();
    completeRun(db, runId, result);
    const [done] = listRuns(db, { imageId: img.id, limit: 10 });
    expect(done).toMatchObject({
      status: 'done',
      task: 'deblur',
      params: { kernel: 7 },
      tokensAfter: [302, 303],
      metrics: { psnr: 24.5 },
      outputs: { result: '/out/r.png', again: '/out/r.png' },
    });
    expect(done?.finishedAt).not.toBeNull();
  });

  it('marks runs interrupted by a crash as failed', () => {
    const img = upsertImage(db, image('a'));
    startRun(db, {
      imageId: img.id,
      task: 'shift',
      protocol: 'reference',
      params: {},
      tokenizerId: 't',
      lmId: 'l',
    });
    expect(failInterruptedRuns(db)).toBe(1);
    const [run] = listRuns(db, { limit: 1 });
    expect(run?.status).toBe('failed');
    expect(run?.error).toMatch(/interrupted/);
  });

  it('persists settings, merging with defaults', () => {
    expect(readSettings(db)).toEqual(DEFAULT_SETTINGS);
    writeSettings(db, { theme: 'dark', threads: 4, executionProvider: 'cpu' });
    db.close();
    db = openDatabase(dir);
    expect(readSettings(db)).toEqual({
      ...DEFAULT_SETTINGS,
      theme: 'dark',
      threads: 4,
      executionProvider: 'cpu',
    });
  });
});

describe('store under a crash', () => {
  it('keeps every committed run whole when the writer is killed mid-transaction', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-crash-'));
    const outputsPerRun = 400;
    const child = spawn('npx', ['tsx', 'test/fixtures/store-writer.ts', dir, String(outputsPerRun)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    const committed: number[] = [];
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) committed.push(Number(line.replace('committed ', '')));
        // Kill at an uneven moment once a fair number of runs are in, so the kill lands mid-transaction.
        if (committed.length >= 20 + Math.floor(Math.random() * 10)) {
          child.removeAllListeners('exit');
          process.kill(-(child.pid ?? 0), 'SIGKILL');
          child.on('exit', () => resolve());
        }
      });
    });

    const db = openDatabase(dir);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const runs = listRuns(db, { limit: 10_000 });
      const byId = new Map(runs.map((r) => [r.id, r]));
      for (const id of committed) {
        const run = byId.get(id);
        expect(run?.status).toBe('done');
        expect(Object.keys(run?.outputs ?? {})).toHaveLength(outputsPerRun);
      }
      // No run is half-written: each is done with all outputs, or still running with none.
      for (const run of runs) {
        const outputs = Object.keys(run.outputs).length;
        if (run.status === 'done') expect(outputs).toBe(outputsPerRun);
        else expect([run.status, outputs]).toEqual(['running', 0]);
      }
      expect(runs.filter((r) => r.status === 'running').length).toBeLessThanOrEqual(1);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
