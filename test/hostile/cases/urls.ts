import type { CaseGroup, HostileCase } from '../case';
import { expect, head, rawRequest } from '../http';

/** Request targets sent byte for byte: broken %-escapes, traversal in every spelling, odd forms of the target. */
const TARGETS = [
  '/%E0%A4%A',
  '/%',
  '/%%',
  '/%zz',
  '/%E0%A4',
  '/%C0%AF',
  '/%ED%A0%80',
  '/%FF%FE',
  '/%00',
  '/a%00b.js',
  '/%F0%9F%98%80',
  '/..%2F..%2F..%2Fetc%2Fpasswd',
  '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
  '/..%5c..%5c..%5cetc%5cpasswd',
  '/....//....//....//etc/passwd',
  '/%252e%252e/%252e%252e/etc/passwd',
  '/assets/../../../../etc/passwd',
  '/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
  '//etc/passwd',
  '///etc/passwd',
  '/./././index.html',
  `/${'a'.repeat(8_000)}`,
  `/?${'x=1&'.repeat(2_000)}`,
  '/?token=%E0%A4%A',
  '/%u002e%u002e/etc/passwd',
  '/\\..\\..\\etc\\passwd',
  '*',
  'http://[',
  'http://127.0.0.1:1/etc/passwd',
  '/index.html#frag',
  '/api/%E0%A4%A',
  '/api/',
  '/api',
  '/events',
] as const;

/** Methods nobody should use on the studio; CORS preflights must not be granted. */
const METHODS = [
  ['TRACE', '/'],
  ['PUT', '/index.html'],
  ['DELETE', '/api/appInfo'],
  ['OPTIONS', '/api/appInfo'],
  ['PATCH', '/api/appInfo'],
  ['GET', '/api/appInfo'],
  ['CONNECT', '127.0.0.1:22'],
] as const;

function printable(target: string): string {
  return target.length > 60 ? `${target.slice(0, 40)}… (${target.length} chars)` : target;
}

export const urlGroup: CaseGroup = {
  name: 'malformed URLs',
  cases: () => [
    ...TARGETS.map((target): HostileCase => ({
      name: `GET ${printable(target)}`,
      run: async ({ server }) => {
        const reply = await rawRequest(server.port, head(server, 'GET', target));
        expect(reply.status !== 0, 'the server closed the connection without an answer');
        expect(reply.status < 500 || reply.status === 503, `answered HTTP ${reply.status}`);
        expect(!/root:.*:0:0:/.test(reply.body), 'the answer holds /etc/passwd');
      },
    })),
    ...METHODS.map(([method, target]): HostileCase => ({
      name: `${method} ${target} is refused`,
      run: async ({ server }) => {
        const reply = await rawRequest(
          server.port,
          head(server, method, target, {
            origin: 'http://evil.example',
            'access-control-request-method': 'POST',
          }),
        );
        // CONNECT has no handler: the connection is closed without an answer, which is a refusal too.
        const refused =
          (reply.status >= 400 && reply.status < 500) || (method === 'CONNECT' && reply.status === 0);
        expect(refused, `answered HTTP ${reply.status}`);
        expect(!/access-control-allow-origin/i.test(reply.head), 'the answer grants CORS');
      },
    })),
  ],
};
