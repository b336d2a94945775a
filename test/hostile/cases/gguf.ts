import fs from 'node:fs';
import path from 'node:path';
import type { CaseGroup, HostileCase, HostileContext } from '../case';
import { HOSTILE_GGUFS } from '../gguf-corpus';
import { api, expect, value, type Envelope } from '../http';
import { CORPUS_DIR } from '../make-fixtures';

const BUNDLED = path.resolve('resources', 'models', 'lm', 'v2l-lm.gguf');
/** A refusal must come at once: the old reader hung for minutes on these, climbing past 1.2 GB. */
const FAST_MS = 3_000;

function refused(reply: Envelope, startedAt: number): void {
  expect(!reply.ok, 'the file was accepted');
  const { code = '', message = '' } = reply.error ?? {};
  expect(['MODEL_INVALID', 'INVALID_ARGUMENT'].includes(code), `refused with ${code}: ${message}`);
  // eslint-disable-next-line no-control-regex
  expect(!/[\u0000-\u0008\u000e-\u001f]/.test(message), 'the message quotes binary bytes');
  const took = performance.now() - startedAt;
  expect(took < FAST_MS, `the refusal took ${Math.round(took)} ms`);
}

async function upload(ctx: HostileContext, name: string, bytes: Buffer): Promise<Envelope> {
  return api(ctx.server, 'uploadLmChunk', {
    uploadId: `hostile-${name.replace(/[^A-Za-z0-9-]/g, '-')}`.slice(0, 64),
    name: `${name}.gguf`,
    offset: 0,
    total: Math.max(1, bytes.length),
    base64: bytes.toString('base64'),
  });
}

/** Copies of the bundled model cut short: the old reader accepted them, then every restoration failed. */
const TRUNCATIONS: readonly [string, (size: number) => number][] = [
  ['half', (size) => Math.floor(size / 2)],
  ['all but one byte', (size) => size - 1],
  ['99.9 %', (size) => Math.floor(size * 0.999)],
  ['the first 1 MB', () => 1024 * 1024],
  ['the first 200 KB (inside the token table)', () => 200 * 1024],
];

export const ggufGroup: CaseGroup = {
  name: 'hostile GGUF',
  cases: () => [
    {
      name: 'the committed corpus is what gguf-corpus.ts makes',
      run: () => {
        for (const [name, make] of Object.entries(HOSTILE_GGUFS)) {
          const file = path.join(CORPUS_DIR, `${name}.gguf`);
          expect(fs.existsSync(file) && fs.readFileSync(file).equals(make()), `${file} is missing or stale`);
        }
        return Promise.resolve();
      },
    },
    ...Object.keys(HOSTILE_GGUFS).flatMap((name): HostileCase[] => [
      {
        name: `import ${name}.gguf`,
        run: async (ctx) => {
          const started = performance.now();
          refused(
            await api(ctx.server, 'importLm', { path: path.join(CORPUS_DIR, `${name}.gguf`) }),
            started,
          );
        },
      },
      {
        name: `upload ${name}.gguf`,
        run: async (ctx) => {
          const started = performance.now();
          refused(await upload(ctx, name, fs.readFileSync(path.join(CORPUS_DIR, `${name}.gguf`))), started);
        },
      },
    ]),
    ...TRUNCATIONS.map(([label, cut]): HostileCase => ({
      name: `import the bundled model cut to ${label}`,
      run: async (ctx) => {
        const bytes = fs.readFileSync(BUNDLED);
        const file = path.join(ctx.tmp, `cut-${label.replace(/\W+/g, '-')}.gguf`);
        fs.writeFileSync(file, bytes.subarray(0, cut(bytes.length)));
        const started = performance.now();
        const reply = await api(ctx.server, 'importLm', { path: file });
        refused(reply, started);
        expect(
          /truncated|ends inside/.test(reply.error?.message ?? ''),
          `not called truncated: ${reply.error?.message}`,
        );
      },
    })),
    {
      name: 'the bundled model itself is accepted (the reader is not just refusing everything)',
      run: async (ctx) => {
        const file = path.join(ctx.tmp, 'whole.gguf');
        fs.copyFileSync(BUNDLED, file);
        const model = await value<{ id: number; vocabularyOk: boolean }>(ctx.server, 'importLm', {
          path: file,
        });
        expect(model.vocabularyOk, 'the bundled model was not recognised');
        await value(ctx.server, 'removeLm', { id: model.id });
      },
    },
    {
      name: 'choosing a hostile file as the model setting is refused',
      run: async (ctx) => {
        const started = performance.now();
        refused(
          await api(ctx.server, 'updateSettings', {
            lmFile: path.join(CORPUS_DIR, 'tensor-count-2e48.gguf'),
          }),
          started,
        );
      },
    },
  ],
};
