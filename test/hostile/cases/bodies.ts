import type { CaseGroup, HostileCase } from '../case';
import { abortAfter, expect, head, rawRequest } from '../http';
import type { ServerProcess } from '../server';

const json = (server: ServerProcess, method: string, extra: Record<string, string | number>) =>
  head(server, 'POST', `/api/${method}`, { 'content-type': 'application/json', ...extra });

/** Clients that go away in the middle of a request: each once ended the server (unhandled rejection). */
const ABORTS: readonly [string, (s: ServerProcess) => string | Buffer][] = [
  ['after the headers', (s) => json(s, 'appInfo', { 'content-length': 1000 })],
  ['after 10 of 100,000 bytes', (s) => json(s, 'openUpload', { 'content-length': 100_000 }) + '{"name":"a'],
  [
    'mid-upload of a 50 MB image',
    (s) =>
      Buffer.concat([
        Buffer.from(json(s, 'openUpload', { 'content-length': 50_000_000 }) + '{"name":"x.png","base64":"'),
        Buffer.alloc(4_000_000, 'A'),
      ]),
  ],
  [
    'mid-chunk of a chunked body',
    (s) => json(s, 'saveEdits', { 'transfer-encoding': 'chunked' }) + 'ff\r\n{"imageId":1,',
  ],
  [
    'mid-piece of a model upload',
    (s) =>
      json(s, 'uploadLmChunk', { 'content-length': 1_000_000 }) +
      '{"uploadId":"abcdefgh1234","name":"m.gguf","offset":0,"total":100,"base64":"R0dV',
  ],
  ['before the headers end', (s) => `POST /api/appInfo HTTP/1.1\r\nhost: 127.0.0.1:${s.port}\r\nx-v2l-tok`],
];

/** Bodies the server must refuse with a 4xx, never a 500 or a crash. */
const BAD_BODIES: readonly [string, string, number[]][] = [
  ['truncated JSON', '{"imageId":', [400]],
  ['a lone brace', '{', [400]],
  ['NUL bytes', '\u0000\u0000', [400]],
  ['a byte-order mark', '\uFEFF{}', [400, 200]],
  ['100,000 nested arrays', '['.repeat(100_000) + ']'.repeat(100_000), [400, 200]],
  ['a huge exponent', '1e999999', [200]],
  ['a lone surrogate', '"\\ud800"', [200]],
  [
    '__proto__ pollution',
    '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    [200],
  ],
  [
    '10,000 keys',
    JSON.stringify(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))),
    [200],
  ],
];

export const bodyGroup: CaseGroup = {
  name: 'request bodies',
  cases: () => [
    ...ABORTS.map(([label, bytes]): HostileCase => ({
      name: `client disconnects ${label}`,
      run: async ({ server }) => {
        await abortAfter(server.port, bytes(server));
        // Give the server the moment it needs to notice the closed socket and (before the fix) crash.
        await new Promise((resolve) => setTimeout(resolve, 200));
      },
    })),
    {
      name: '20 clients disconnect mid-body at once',
      run: async ({ server }) => {
        await Promise.all(
          Array.from({ length: 20 }, () =>
            abortAfter(
              server.port,
              json(server, 'openUpload', { 'content-length': 10_000 }) + '{"name":',
              20,
            ),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
      },
    },
    ...BAD_BODIES.map(([label, body, statuses]): HostileCase => ({
      name: `body with ${label}`,
      run: async ({ server }) => {
        const reply = await rawRequest(
          server.port,
          json(server, 'getEdits', { 'content-length': Buffer.byteLength(body) }) + body,
        );
        expect(statuses.includes(reply.status), `answered HTTP ${reply.status}`);
        expect(!reply.body.includes('"code":"INTERNAL"'), `internal error: ${reply.body.slice(0, 200)}`);
      },
    })),
    ...(
      [
        ['no content type', {}, 415],
        ['text/plain', { 'content-type': 'text/plain' }, 415],
        ['a lying Content-Length (short)', { 'content-type': 'application/json', 'content-length': 2 }, 400],
        [
          'Content-Length and chunked at once',
          { 'content-type': 'application/json', 'content-length': 4, 'transfer-encoding': 'chunked' },
          400,
        ],
        ['a broken chunk size', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, 400],
        ['a negative Content-Length', { 'content-type': 'application/json', 'content-length': '-1' }, 400],
        ['a 100 KB header', { 'content-type': 'application/json', 'x-big': 'x'.repeat(100_000) }, 431],
      ] as const
    ).map(([label, headers, status]): HostileCase => ({
      name: `request with ${label}`,
      run: async ({ server }) => {
        const reply = await rawRequest(
          server.port,
          head(server, 'POST', '/api/getSettings', headers) + 'zz\r\n{"a":1}\r\n0\r\n\r\n',
        );
        expect(reply.status === status, `answered HTTP ${reply.status}, not ${status}`);
      },
    })),
    {
      name: 'a body over the size limit gets 413',
      timeoutMs: 60_000,
      run: async ({ server }) => {
        const size = 205_000_000;
        const chunk = Buffer.alloc(1_000_000, 'A');
        const parts: Buffer[] = [Buffer.from(json(server, 'openUpload', { 'content-length': size }))];
        for (let sent = 0; sent < size; sent += chunk.length) parts.push(chunk);
        const reply = await rawRequest(server.port, Buffer.concat(parts), 30_000);
        expect(reply.status === 413 || reply.status === 0, `answered HTTP ${reply.status}`);
      },
    },
    ...['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'doesNotExist', '..%2Fapi%2FappInfo'].map(
      (method): HostileCase => ({
        name: `unknown API method ${method}`,
        run: async ({ server }) => {
          const reply = await rawRequest(server.port, json(server, method, { 'content-length': 2 }) + '{}');
          expect(reply.status === 200, `answered HTTP ${reply.status}`);
          expect(/"ok":false,"error":\{"code":"INVALID_ARGUMENT"/.test(reply.body), reply.body.slice(0, 200));
        },
      }),
    ),
  ],
};
