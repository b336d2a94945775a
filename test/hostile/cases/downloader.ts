import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { CaseGroup, HostileCase, HostileContext } from '../case';
import { api, expect, value } from '../http';
import { CORPUS_DIR } from '../make-fixtures';

const BUNDLED = path.resolve('resources', 'models', 'lm', 'v2l-lm.gguf');
const SECRET = 'SECRET-METADATA-7f3a';

/** A plain-http server on 127.0.0.1 that records every request it gets. */
class LocalHost {
  readonly hits: string[] = [];
  port = 0;
  private readonly server: http.Server;

  constructor(handle: (req: http.IncomingMessage, res: http.ServerResponse, host: LocalHost) => void) {
    this.server = http.createServer((req, res) => {
      this.hits.push(req.url ?? '');
      handle(req, res, this);
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function serveFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer,
  extra: http.OutgoingHttpHeaders = {},
) {
  const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
  const start = range ? Number(range[1]) : 0;
  const end = range?.[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
  res.writeHead(range ? 206 : 200, {
    'content-length': end - start + 1,
    'accept-ranges': 'bytes',
    ...(range ? { 'content-range': `bytes ${start}-${end}/${body.length}` } : {}),
    ...extra,
  });
  res.end(body.subarray(start, end + 1));
}

let bundled: Buffer = Buffer.alloc(0);
let sha256 = '';
/** Any request reaching it is a failure: it stands for a service on this machine. */
const internal = new LocalHost((_req, res) => res.writeHead(200).end(`GGUF ${SECRET}`));
/** The mirror the user listed in V2L_MODEL_MIRRORS. */
const mirror = new LocalHost((req, res, self) => {
  const url = req.url ?? '';
  const route: Record<string, () => void> = {
    '/good.gguf': () => serveFile(req, res, bundled, { 'x-linked-etag': `"${sha256}"` }),
    '/redirect-good.gguf': () => res.writeHead(302, { location: '/good.gguf' }).end(),
    '/to-internal.gguf': () =>
      res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/secret.gguf` }).end(),
    '/to-metadata.gguf': () =>
      res.writeHead(301, { location: 'https://169.254.169.254/latest/meta-data.gguf' }).end(),
    '/to-localhost-name.gguf': () =>
      res.writeHead(307, { location: `http://localhost:${self.port}/good.gguf` }).end(),
    '/to-file.gguf': () => res.writeHead(302, { location: 'file:///etc/passwd.gguf' }).end(),
    '/loop.gguf': () => res.writeHead(302, { location: '/loop.gguf' }).end(),
    '/page.gguf': () =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!DOCTYPE html><p>${SECRET}</p>`),
    '/error.gguf': () => res.writeHead(500).end(`GGUF ${SECRET} stack trace`),
    '/wrong-sha.gguf': () => serveFile(req, res, bundled, { 'x-linked-etag': `"${'0'.repeat(64)}"` }),
    '/short.gguf': () => {
      // Announces the full size, then sends less and closes: the file must not be accepted.
      const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      if (start === 0 && range?.[2] === '3') {
        serveFile(req, res, bundled);
        return;
      }
      res.writeHead(206, {
        'content-range': `bytes ${start}-${bundled.length - 1}/${bundled.length}`,
        'content-length': bundled.length - start,
      });
      res.end(bundled.subarray(start, start + 1000));
      res.destroy();
    },
    '/lying-size.gguf': () => {
      // The probe is told the file is 1,000 bytes longer than what the download then receives.
      if (req.headers.range !== 'bytes=0-3') {
        serveFile(req, res, bundled);
        return;
      }
      res.writeHead(206, { 'content-range': `bytes 0-3/${bundled.length + 1000}`, 'content-length': 4 });
      res.end(bundled.subarray(0, 4));
    },
    '/hostile.gguf': () =>
      serveFile(req, res, fs.readFileSync(path.join(CORPUS_DIR, 'tensor-count-2e48.gguf'))),
  };
  const handler = route[url.split('?')[0] ?? ''];
  if (handler) handler();
  else res.writeHead(404).end('not here');
});

/** Addresses refused before any connection: plain http, private, loopback, link-local and reserved targets. */
const REFUSED_TARGETS: readonly string[] = [
  'http://example.com/m.gguf',
  'https://127.0.0.1/m.gguf',
  'https://127.1.2.3/m.gguf',
  'https://10.0.0.1/m.gguf',
  'https://172.16.5.4/m.gguf',
  'https://192.168.1.1/m.gguf',
  'https://169.254.169.254/latest/meta-data.gguf',
  'https://100.64.0.1/m.gguf',
  'https://0.0.0.0/m.gguf',
  'https://2130706433/m.gguf',
  'https://0177.0.0.1/m.gguf',
  'https://0x7f000001/m.gguf',
  'https://[::1]/m.gguf',
  'https://[::ffff:127.0.0.1]/m.gguf',
  'https://[::ffff:a9fe:a9fe]/m.gguf',
  'https://[fe80::1]/m.gguf',
  'https://[fc00::1]/m.gguf',
  'https://[64:ff9b::a00:1]/m.gguf',
  'https://224.0.0.1/m.gguf',
  'https://localhost/m.gguf',
];

async function failure(ctx: HostileContext, uri: string) {
  const { jobId } = await value<{ jobId: string }>(ctx.server, 'startLmDownload', { uri });
  return ctx.events.failure(jobId, 30_000);
}

function noLeak(message: string): void {
  expect(
    !message.includes(SECRET) && !message.includes('<!DOCTYPE'),
    `the message quotes the answer: ${message}`,
  );
}

export const downloaderGroup: CaseGroup = {
  name: 'model downloader',
  prepare: async () => {
    bundled = fs.readFileSync(BUNDLED);
    sha256 = createHash('sha256').update(bundled).digest('hex');
    await internal.start();
    await mirror.start();
    return { V2L_MODEL_MIRRORS: `http://127.0.0.1:${mirror.port}` };
  },
  teardown: async () => {
    await internal.stop();
    await mirror.stop();
  },
  cases: () => [
    ...REFUSED_TARGETS.map((uri): HostileCase => ({
      name: `refuses ${uri}`,
      run: async (ctx) => {
        const error = await failure(ctx, uri);
        expect(error.code === 'REFUSED', `failed with ${error.code}: ${error.message}`);
        expect(/https only|local or private/.test(error.message), `unexpected reason: ${error.message}`);
      },
    })),
    {
      name: 'refuses plain http to a local service that is not a listed mirror, without connecting',
      run: async (ctx) => {
        const before = internal.hits.length;
        const error = await failure(ctx, `http://127.0.0.1:${internal.port}/secret.gguf`);
        expect(error.code === 'REFUSED', `failed with ${error.code}`);
        expect(internal.hits.length === before, 'the local service was contacted');
      },
    },
    ...(
      [
        ['to a local service', '/to-internal.gguf'],
        ['to the cloud metadata address', '/to-metadata.gguf'],
        ['to another name for the mirror host', '/to-localhost-name.gguf'],
        ['to a file: URL', '/to-file.gguf'],
      ] as const
    ).map(([label, route]): HostileCase => ({
      name: `refuses a mirror redirect ${label}`,
      run: async (ctx) => {
        const before = internal.hits.length;
        const error = await failure(ctx, `http://127.0.0.1:${mirror.port}${route}`);
        expect(error.code === 'REFUSED', `failed with ${error.code}: ${error.message}`);
        expect(internal.hits.length === before, 'the redirect target was contacted');
      },
    })),
    {
      name: 'stops a redirect loop',
      run: async (ctx) => {
        const error = await failure(ctx, `http://127.0.0.1:${mirror.port}/loop.gguf`);
        expect(/redirected more than/.test(error.message), error.message);
      },
    },
    {
      name: 'a web page is refused without quoting it',
      run: async (ctx) => {
        const error = await failure(ctx, `http://127.0.0.1:${mirror.port}/page.gguf`);
        expect(error.code === 'MODEL_INVALID', error.code);
        noLeak(error.message);
      },
    },
    {
      name: 'an error answer is reported without quoting it',
      run: async (ctx) => noLeak((await failure(ctx, `http://127.0.0.1:${mirror.port}/error.gguf`)).message),
    },
    {
      name: 'a hostile GGUF header from the mirror is refused at once',
      run: async (ctx) => {
        const error = await failure(ctx, `http://127.0.0.1:${mirror.port}/hostile.gguf`);
        expect(error.code === 'MODEL_INVALID', `${error.code}: ${error.message}`);
      },
    },
    {
      name: 'a file whose SHA-256 differs from the published one is refused and deleted',
      timeoutMs: 60_000,
      run: async (ctx) => {
        const error = await failure(ctx, `http://127.0.0.1:${mirror.port}/wrong-sha.gguf`);
        expect(/SHA-256 differs/.test(error.message), error.message);
      },
    },
    {
      name: 'a file shorter than the size its host announced is refused and deleted',
      timeoutMs: 60_000,
      run: async (ctx) => {
        const error = await failure(ctx, `http://127.0.0.1:${mirror.port}/lying-size.gguf`);
        expect(/its host announced/.test(error.message), `${error.code}: ${error.message}`);
      },
    },
    {
      name: 'a host that keeps cutting the file short can be cancelled, and nothing is kept',
      timeoutMs: 60_000,
      run: async (ctx) => {
        const uri = `http://127.0.0.1:${mirror.port}/short.gguf`;
        const { jobId } = await value<{ jobId: string }>(ctx.server, 'startLmDownload', { uri });
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await value(ctx.server, 'cancelJob', { jobId });
        const error = await ctx.events.failure(jobId, 30_000);
        expect(error.code === 'JOB_CANCELLED', `${error.code}: ${error.message}`);
        const view = await value<{ models: { uri: string | null }[]; downloads: { uri: string }[] }>(
          ctx.server,
          'listLms',
          undefined,
        );
        expect(!view.models.some((m) => m.uri === uri) && !view.downloads.some((d) => d.uri === uri), 'kept');
      },
    },
    {
      name: 'a user name and password in the address are refused',
      run: async (ctx) => {
        // Refused when the download is asked for, before any job starts.
        const answer = await api(ctx.server, 'startLmDownload', {
          uri: 'https://user:pass@example.com/m.gguf',
        });
        expect(!answer.ok && answer.error?.code === 'INVALID_ARGUMENT', JSON.stringify(answer));
      },
    },
    {
      name: 'the listed mirror works through a redirect, with size and SHA-256 checked',
      timeoutMs: 90_000,
      run: async (ctx) => {
        const uri = `http://127.0.0.1:${mirror.port}/redirect-good.gguf`;
        const { jobId } = await value<{ jobId: string }>(ctx.server, 'startLmDownload', { uri });
        const end = await ctx.events.outcome(jobId, 80_000);
        expect(end.type === 'job.done', end.type === 'job.failed' ? end.error.message : 'not done');
        const view = await value<{ models: { id: number; uri: string | null; vocabularyOk: boolean }[] }>(
          ctx.server,
          'listLms',
          undefined,
        );
        const model = view.models.find((m) => m.uri === uri);
        expect(model?.vocabularyOk === true, 'the downloaded model is not listed as usable');
        await value(ctx.server, 'removeLm', { id: model.id });
      },
    },
  ],
};
