import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import llamaTokenizer from 'llama-tokenizer-js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../src-shared/contract/api';
import type { ErrorPayload } from '../../src-shared/contract/errors';
import { LmLibrary } from '../../src-main/engine/llm/library';
import { parseModelUri } from '../../src-main/engine/llm/model-uri';
import { listLmDownloads } from '../../src-main/engine/store/lm-models';
import { readSettings, writeSettings } from '../../src-main/engine/store/settings';
import { openDatabase, type Db } from '../../src-main/engine/store/store';
import { writeTinyLlamaGguf } from '../helpers/gguf';
import { ModelHost } from '../helpers/model-host';

describe('model URIs', () => {
  it('accepts Hugging Face file and repository forms and http(s) links to a .gguf', () => {
    expect(parseModelUri(' hf:TheBloke/Llama-2-7B-GGUF/llama-2-7b.Q4_K_M.gguf ')).toEqual({
      uri: 'hf:TheBloke/Llama-2-7B-GGUF/llama-2-7b.Q4_K_M.gguf',
      host: 'huggingface.co',
      fileUrl: 'https://huggingface.co/TheBloke/Llama-2-7B-GGUF/resolve/main/llama-2-7b.Q4_K_M.gguf',
    });
    expect(parseModelUri('hf:user/repo/sub/m.gguf#dev').fileUrl).toBe(
      'https://huggingface.co/user/repo/resolve/dev/sub/m.gguf',
    );
    expect(parseModelUri('hf:TheBloke/Llama-2-7B-GGUF:Q4_K_M')).toMatchObject({ fileUrl: null });
    expect(parseModelUri('https://huggingface.co/u/r/blob/main/m.gguf').fileUrl).toBe(
      'https://huggingface.co/u/r/resolve/main/m.gguf',
    );
    expect(parseModelUri('http://127.0.0.1:8080/models/tiny.gguf').host).toBe('127.0.0.1:8080');
  });

  it('refuses what is not a model URI, naming the accepted forms', () => {
    for (const bad of [
      '',
      '/home/me/model.gguf',
      'ftp://host/m.gguf',
      'https://example.com/model.bin',
      'hf:only',
    ]) {
      expect(() => parseModelUri(bad)).toThrow(
        /use hf:user\/repo\/file\.gguf, hf:user\/repo:Q4_K_M, or an https:/,
      );
    }
    expect(() => parseModelUri('hf:user/repo/readme.md')).toThrow(/does not name a \.gguf file/);
  });
});

const CHUNK = 5 * 1024 * 1024;

describe('downloading a model from a URI (a local HTTP server serving generated GGUFs)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'v2l-lmdl-'));
  const host = new ModelHost();
  let dataDir: string;
  let db: Db;
  let library: LmLibrary;
  let events: StudioEvent[];

  beforeAll(async () => {
    const tiny = path.join(root, 'tiny.gguf');
    writeTinyLlamaGguf(tiny, { seed: 9 });
    host.files.set('tiny.gguf', fs.readFileSync(tiny));
    // Four 5 MB chunks, so a download can stop with some chunks on disk and resume from them.
    const big = path.join(root, 'big.gguf');
    writeTinyLlamaGguf(big, { dim: 128, heads: 4, ff: 128, seed: 2 });
    host.files.set('big.gguf', fs.readFileSync(big));
    const tokens = llamaTokenizer.vocabById.slice();
    tokens[4321] = 'kiwi';
    const foreign = path.join(root, 'foreign.gguf');
    writeTinyLlamaGguf(foreign, { tokens });
    host.files.set('foreign.gguf', fs.readFileSync(foreign));
    host.files.set('page.gguf', Buffer.from('<!DOCTYPE html><html>a login page</html>'));
    await host.start();
  });
  afterAll(async () => {
    await host.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(root, 'data-'));
    db = openDatabase(dataDir);
    events = [];
    host.ranges.length = 0;
    library = new LmLibrary({
      db,
      dataDir,
      emit: (event) => events.push(event),
      settings: () => readSettings(db),
      choose: (lmFile: string) => Promise.resolve(writeSettings(db, { lmFile })),
      // The test host is plain http on loopback, which the downloader refuses unless it is a listed mirror.
      env: { V2L_MODEL_MIRRORS: 'http://127.0.0.1' },
    });
  });
  afterEach(() => {
    library.dispose();
    host.release();
    db.close();
  });

  const outcome = (jobId: string, timeoutMs = 60_000) =>
    new Promise<{ ok: true } | { ok: false; error: ErrorPayload }>((resolve, reject) => {
      const started = Date.now();
      const poll = () => {
        for (const event of events) {
          if (event.type === 'job.done' && event.jobId === jobId) return resolve({ ok: true });
          if (event.type === 'job.failed' && event.jobId === jobId)
            return resolve({ ok: false, error: event.error });
        }
        if (Date.now() - started > timeoutMs) return reject(new Error(`job ${jobId} did not end`));
        setTimeout(poll, 20);
      };
      poll();
    });

  it('downloads over http with progress events, checks the vocabulary and lists the model', async () => {
    const uri = host.url('tiny.gguf');
    const { jobId } = library.startDownload(uri);
    expect(await outcome(jobId)).toEqual({ ok: true });
    const progress = events.filter((e) => e.type === 'job.progress' && e.jobId === jobId);
    const last = progress.at(-1);
    expect(last).toMatchObject({ type: 'job.progress', message: '4.9 MB of 4.9 MB' });
    if (last?.type === 'job.progress') expect(last.step).toBe(last.of);
    const view = await library.list();
    const model = view.models.find((m) => m.uri === uri);
    expect(model).toMatchObject({ source: 'downloaded', vocabularyOk: true, selected: false, problem: null });
    expect(model?.file.startsWith(path.join(dataDir, 'models', 'downloads'))).toBe(true);
    expect(fs.readFileSync(model?.file ?? '').equals(host.files.get('tiny.gguf') ?? Buffer.alloc(0))).toBe(
      true,
    );
    expect(view.downloads).toEqual([]);
    // A downloaded model is the studio's own copy: removing it deletes it.
    await library.remove(model?.id ?? -1);
    expect(fs.existsSync(model?.file ?? '')).toBe(false);
  });

  it('deletes a downloaded model whose vocabulary is not LLaMA-2 and says why', async () => {
    const { jobId } = library.startDownload(host.url('foreign.gguf'));
    const result = await outcome(jobId);
    expect(result).toMatchObject({ ok: false, error: { code: 'MODEL_INVALID' } });
    if (!result.ok)
      expect(result.error.message).toMatch(/cannot be used and was deleted: .*token 4321 is "kiwi"/);
    expect(fs.readdirSync(path.join(dataDir, 'models', 'downloads'))).toEqual([]);
    expect((await library.list()).models).toHaveLength(1);
  });

  it('fails at once, clearly and with nothing left behind, for an unreachable host, a missing file or a web page', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const started = Date.now();
    const unreachable = await outcome(library.startDownload(`http://127.0.0.1:${deadPort}/m.gguf`).jobId);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(unreachable).toMatchObject({
      ok: false,
      error: {
        code: 'UNREACHABLE',
        message: expect.stringMatching(/Cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/) as unknown,
      },
    });
    const missing = await outcome(library.startDownload(host.url('absent.gguf')).jobId);
    expect(missing).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/There is no file at .*HTTP 404/) as unknown },
    });
    const page = await outcome(library.startDownload(host.url('page.gguf')).jobId);
    expect(page).toMatchObject({
      ok: false,
      error: {
        code: 'MODEL_INVALID',
        message: expect.stringMatching(/does not serve a GGUF file\. Link/) as unknown,
      },
    });
    expect(fs.existsSync(path.join(dataDir, 'models', 'downloads'))).toBe(false);
    expect(listLmDownloads(db)).toEqual([]);
  });

  const waitForChunks = async (uri: string, bytes: number) => {
    for (let i = 0; i < 500; i++) {
      const partial = (await library.list()).downloads.find((d) => d.uri === uri);
      if (partial && partial.downloadedBytes >= bytes) return partial;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`${uri} never had ${bytes} bytes on disk`);
  };

  it('pauses keeping the chunks on disk, then resumes from them to an identical file', async () => {
    const uri = host.url('big.gguf');
    const body = host.files.get('big.gguf') ?? Buffer.alloc(0);
    host.stallFrom = 2 * CHUNK;
    const first = library.startDownload(uri);
    const partial = await waitForChunks(uri, 2 * CHUNK);
    expect(partial).toMatchObject({ fileName: 'big.gguf', totalBytes: body.length, jobId: first.jobId });
    expect(library.pauseDownload(first.jobId)).toBe(true);
    const paused = await outcome(first.jobId);
    expect(paused).toMatchObject({
      ok: false,
      error: { code: 'JOB_CANCELLED', message: expect.stringMatching(/^Download paused at/) as unknown },
    });
    const listed = (await library.list()).downloads;
    expect(listed).toEqual([
      { uri, fileName: 'big.gguf', downloadedBytes: 2 * CHUNK, totalBytes: body.length, jobId: null },
    ]);

    host.release();
    host.ranges.length = 0;
    const second = library.startDownload(uri);
    expect(await outcome(second.jobId)).toEqual({ ok: true });
    // Besides the 4-byte probe of the header, only the chunks that were not on disk were asked for again.
    const fetched = host.ranges.filter((range) => range !== '0-3');
    expect(host.ranges).toContain('0-3');
    expect(fetched.length).toBeGreaterThan(0);
    for (const range of fetched) expect(Number(range.split('-')[0])).toBeGreaterThanOrEqual(2 * CHUNK);
    const resumed = events.filter((e) => e.type === 'job.progress' && e.jobId === second.jobId).at(-1);
    expect(resumed).toMatchObject({
      message: expect.stringMatching(/17\.6 MB of 17\.6 MB \(resumed at 10\.5 MB\)/) as unknown,
    });
    const model = (await library.list()).models.find((m) => m.uri === uri);
    expect(fs.readFileSync(model?.file ?? '').equals(body)).toBe(true);
    expect(listLmDownloads(db)).toEqual([]);
  });

  it('cancel deletes the partial download; discard deletes a paused one', async () => {
    const uri = host.url('big.gguf');
    host.stallFrom = 2 * CHUNK;
    const first = library.startDownload(uri);
    await waitForChunks(uri, 2 * CHUNK);
    expect(() => library.startDownload(uri)).toThrow(/already downloading/);
    expect(library.jobs.cancel(first.jobId)).toBe(true);
    expect(await outcome(first.jobId)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/cancelled and its partial file deleted/) as unknown },
    });
    expect(fs.existsSync(library.downloadFolder(uri))).toBe(false);
    expect((await library.list()).downloads).toEqual([]);

    const second = library.startDownload(uri);
    await waitForChunks(uri, 2 * CHUNK);
    library.pauseDownload(second.jobId);
    await outcome(second.jobId);
    expect(fs.existsSync(library.downloadFolder(uri))).toBe(true);
    expect((await library.discardDownload(uri)).downloads).toEqual([]);
    expect(fs.existsSync(library.downloadFolder(uri))).toBe(false);
  });
});
