import type { CaseGroup, HostileCase } from '../case';
import { expect, rawRequest } from '../http';
import type { ServerProcess } from '../server';

type Headers = Record<string, string>;

interface AccessCase {
  readonly name: string;
  readonly headers: (s: ServerProcess) => Headers;
  /** The statuses that count as a refusal. */
  readonly refused: readonly number[];
}

const good = (s: ServerProcess): Headers => ({ host: `127.0.0.1:${s.port}`, 'x-v2l-token': s.token });

const HOSTS: readonly [string, (s: ServerProcess) => string][] = [
  ['evil.example', () => 'evil.example'],
  ['evil.example:port', (s) => `evil.example:${s.port}`],
  ['another port', (s) => `127.0.0.1:${s.port + 1}`],
  ['localhost.evil.example', (s) => `localhost.evil.example:${s.port}`],
  ['no port', () => '127.0.0.1'],
  ['[::1]', (s) => `[::1]:${s.port}`],
  ['suffix', (s) => `127.0.0.1:${s.port}.evil.example`],
  ['0.0.0.0', (s) => `0.0.0.0:${s.port}`],
  ['upper-case LOCALHOST', (s) => `LOCALHOST:${s.port}`],
  ['decimal 2130706433', (s) => `2130706433:${s.port}`],
];

const ORIGINS: readonly [string, (s: ServerProcess) => string][] = [
  ['evil origin', () => 'http://evil.example'],
  ['null origin', () => 'null'],
  ['https scheme', (s) => `https://127.0.0.1:${s.port}`],
  ['origin suffix', (s) => `http://127.0.0.1:${s.port}.evil.example`],
  ['another port', (s) => `http://localhost:${s.port + 1}`],
  ['file origin', () => 'file://'],
];

const TOKENS: readonly [string, (s: ServerProcess) => Headers][] = [
  ['no token', (s) => ({ host: `127.0.0.1:${s.port}` })],
  ['wrong token', (s) => ({ host: `127.0.0.1:${s.port}`, 'x-v2l-token': 'x'.repeat(s.token.length) })],
  ['token prefix', (s) => ({ host: `127.0.0.1:${s.port}`, 'x-v2l-token': s.token.slice(0, -1) })],
  ['token plus a byte', (s) => ({ host: `127.0.0.1:${s.port}`, 'x-v2l-token': `${s.token}x` })],
  ['empty token', (s) => ({ host: `127.0.0.1:${s.port}`, 'x-v2l-token': '' })],
  ['wrong cookie', (s) => ({ host: `127.0.0.1:${s.port}`, cookie: 'v2l_token=nope' })],
  ['token in another cookie', (s) => ({ host: `127.0.0.1:${s.port}`, cookie: `other=${s.token}` })],
  [
    'non-ASCII token',
    (s) => ({ host: `127.0.0.1:${s.port}`, 'x-v2l-token': 'é'.repeat(s.token.length / 2) }),
  ],
];

function request(method: string, target: string, headers: Headers, body = ''): string {
  const all = { connection: 'close', ...headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  const lines = Object.entries(all).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

const api = (headers: Headers) =>
  request('POST', '/api/getSettings', { ...headers, 'content-type': 'application/json' }, '{}');

function cases(): AccessCase[] {
  const out: AccessCase[] = [];
  for (const [label, host] of HOSTS) {
    out.push({
      name: `Host ${label} (API)`,
      headers: (s) => ({ ...good(s), host: host(s) }),
      refused: [400, 403],
    });
  }
  for (const [label, origin] of ORIGINS) {
    out.push({
      name: `Origin ${label} (API)`,
      headers: (s) => ({ ...good(s), origin: origin(s) }),
      refused: [403],
    });
  }
  for (const [label, headers] of TOKENS) out.push({ name: `${label} (API)`, headers, refused: [401] });
  return out;
}

export const accessGroup: CaseGroup = {
  name: 'Host, Origin and token',
  cases: () => [
    ...cases().map((c): HostileCase => ({
      name: c.name,
      run: async ({ server }) => {
        const reply = await rawRequest(server.port, api(c.headers(server)));
        expect(
          c.refused.includes(reply.status),
          `answered HTTP ${reply.status}, not ${c.refused.join(' or ')}`,
        );
        expect(!reply.body.includes('"ok":true'), 'the API answered');
      },
    })),
    ...HOSTS.slice(0, 4).map(([label, host]): HostileCase => ({
      name: `Host ${label} (page)`,
      run: async ({ server }) => {
        const reply = await rawRequest(
          server.port,
          request('GET', '/', { ...good(server), host: host(server) }),
        );
        expect(reply.status === 403, `answered HTTP ${reply.status}`);
      },
    })),
    ...['//evil.example/', '/\\evil.example', '//evil.example/%2F..', '/%2F%2Fevil.example'].map(
      (target): HostileCase => ({
        name: `token redirect from ${target} stays on the studio`,
        run: async ({ server }) => {
          const reply = await rawRequest(
            server.port,
            request('GET', `${target}?token=${server.token}`, { host: `127.0.0.1:${server.port}` }),
          );
          expect(reply.status === 302, `answered HTTP ${reply.status}`);
          expect(/\r\nlocation: \/\r?\n?/i.test(`${reply.head}\r\n`), `redirects elsewhere: ${reply.head}`);
          expect(
            /set-cookie: v2l_token=[^;]+; HttpOnly; SameSite=Strict/i.test(reply.head),
            'no HttpOnly cookie',
          );
        },
      }),
    ),
    {
      name: 'API answers carry no CORS grant',
      run: async ({ server }) => {
        const reply = await rawRequest(
          server.port,
          api({ ...good(server), origin: `http://127.0.0.1:${server.port}` }),
        );
        expect(reply.status === 200, `answered HTTP ${reply.status}`);
        expect(!/access-control-allow/i.test(reply.head), 'the answer grants CORS');
      },
    },
  ],
};
