import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { CaseGroup, HostileCase, HostileContext } from '../case';
import { api, expect } from '../http';

/** Paths a client may name for import: none may be read unless it is a regular .gguf file. */
const PATHS: readonly [string, (ctx: HostileContext) => string][] = [
  ['/etc/shadow', () => '/etc/shadow'],
  ['/etc/passwd', () => '/etc/passwd'],
  ['/dev/zero', () => '/dev/zero'],
  ['/dev/urandom', () => '/dev/urandom'],
  ['/proc/self/environ', () => '/proc/self/environ'],
  ['a relative path up to /etc/shadow', () => '../../../../../../../../etc/shadow'],
  [
    'a FIFO named model.gguf',
    (ctx) => {
      const fifo = path.join(ctx.tmp, 'fifo-model.gguf');
      if (!fs.existsSync(fifo)) execFileSync('mkfifo', [fifo]);
      return fifo;
    },
  ],
  [
    'a folder named model.gguf',
    (ctx) => {
      const dir = path.join(ctx.tmp, 'folder-model.gguf');
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    },
  ],
  [
    'a link named model.gguf to /etc/passwd',
    (ctx) => {
      const link = path.join(ctx.tmp, 'passwd-link.gguf');
      if (!fs.existsSync(link)) fs.symlinkSync('/etc/passwd', link);
      return link;
    },
  ],
  ['/dev/zero through /proc/self/root', () => '/proc/self/root/dev/zero'],
  ['a path with a NUL byte', () => '/tmp/model\u0000.gguf'],
  ['a missing file', (ctx) => path.join(ctx.tmp, 'absent.gguf')],
  ['a 4,000-character path', () => `/${'a/'.repeat(1_990)}m.gguf`],
];

export const importPathGroup: CaseGroup = {
  name: 'model import paths',
  cases: () =>
    PATHS.flatMap(([label, make]): HostileCase[] => [
      {
        name: `import ${label}`,
        timeoutMs: 10_000,
        run: async (ctx) => {
          const started = performance.now();
          const reply = await api(ctx.server, 'importLm', { path: make(ctx) });
          expect(!reply.ok, 'the path was accepted');
          const message = reply.error?.message ?? '';
          expect(reply.error?.code !== 'INTERNAL', `internal error: ${message}`);
          expect(
            !/root:|\broot\b|PATH=/.test(message) && !message.includes('\u0000'),
            `the message leaks the file: ${message}`,
          );
          expect(performance.now() - started < 3_000, 'the refusal was not immediate (a blocking read?)');
        },
      },
      {
        name: `choose ${label} as the model setting`,
        timeoutMs: 10_000,
        run: async (ctx) => {
          const reply = await api(ctx.server, 'updateSettings', { lmFile: make(ctx) });
          expect(!reply.ok, 'the path was accepted');
          expect(!/root:|\broot\b|PATH=/.test(reply.error?.message ?? ''), 'the message leaks the file');
        },
      },
    ]),
};
