import net from 'node:net';
import WebSocket from 'ws';
import type { CaseGroup, HostileCase } from '../case';
import { expect, rawRequest } from '../http';
import type { ServerProcess } from '../server';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function upgrade(server: ServerProcess, target = '/events', extra: Record<string, string> = {}): string {
  const headers = {
    host: `127.0.0.1:${server.port}`,
    'x-v2l-token': server.token,
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': KEY,
    'sec-websocket-version': '13',
    ...extra,
  };
  return `GET ${target} HTTP/1.1\r\n${Object.entries(headers)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
}

/** Opens an authorised socket by hand, then writes `frames` (raw WebSocket bytes) and closes after a moment. */
function sendFrames(server: ServerProcess, frames: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let reply = '';
    socket.on('data', (chunk) => {
      if (!reply) socket.write(frames);
      reply += chunk.toString('latin1');
    });
    socket.on('error', () => resolve(reply));
    socket.on('close', () => resolve(reply));
    socket.write(upgrade(server));
    setTimeout(() => socket.destroy(), 500);
  });
}

function frame(opcode: number, payload: Buffer, masked = true, lengthOverride?: bigint): Buffer {
  const headerBytes: number[] = [0x80 | opcode];
  const maskBit = masked ? 0x80 : 0;
  const length = lengthOverride ?? BigInt(payload.length);
  const parts: Buffer[] = [];
  if (length < 126n) headerBytes.push(maskBit | Number(length));
  else if (length < 65536n) {
    headerBytes.push(maskBit | 126, Number(length >> 8n), Number(length & 255n));
  } else {
    const extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(length);
    headerBytes.push(maskBit | 127);
    parts.push(extended);
  }
  const mask = Buffer.from([1, 2, 3, 4]);
  const body = masked ? Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] ?? 0))) : payload;
  return Buffer.concat([Buffer.from(headerBytes), ...parts, ...(masked ? [mask] : []), body]);
}

const FRAMES: readonly [string, () => Buffer][] = [
  ['garbage bytes', () => Buffer.from('this is not a websocket frame at all \x00\xff\xfe')],
  ['an unmasked client frame', () => frame(1, Buffer.from('hello'), false)],
  ['a 100 KB message over the 64 KB limit', () => frame(2, Buffer.alloc(100_000, 7))],
  ['a frame that claims 2^63 bytes', () => frame(2, Buffer.alloc(10), true, 2n ** 63n - 1n)],
  ['a reserved opcode', () => frame(3, Buffer.from('x'))],
  ['invalid UTF-8 in a text frame', () => frame(1, Buffer.from([0xc3, 0x28, 0xff]))],
  ['a fragmented control frame', () => Buffer.from([0x09, 0x80, 1, 2, 3, 4])],
  ['a close frame with a bad code', () => frame(8, Buffer.from([0x03, 0xe7]))],
];

export const websocketGroup: CaseGroup = {
  name: 'event socket',
  cases: () => [
    ...FRAMES.map(([label, bytes]): HostileCase => ({
      name: `an authorised client sends ${label}`,
      run: async ({ server }) => {
        const reply = await sendFrames(server, bytes());
        expect(reply.startsWith('HTTP/1.1 101'), `the upgrade was not accepted: ${reply.slice(0, 60)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      },
    })),
    ...(
      [
        ['without a token', { 'x-v2l-token': '' }],
        ['with a wrong token', { 'x-v2l-token': 'wrong' }],
        ['from another origin', { origin: 'http://evil.example' }],
        ['with a foreign Host', { host: 'evil.example' }],
      ] as const
    ).map(([label, headers]): HostileCase => ({
      name: `an upgrade ${label} is refused`,
      run: async ({ server }) => {
        const reply = await rawRequest(server.port, upgrade(server, '/events', headers));
        expect(reply.status === 401, `answered HTTP ${reply.status}`);
      },
    })),
    ...['/elsewhere', '/%E0%A4%A', 'http://['].map((target): HostileCase => ({
      name: `an upgrade to ${target} is refused`,
      run: async ({ server }) => {
        const reply = await rawRequest(server.port, upgrade(server, target));
        expect(reply.status === 401 || reply.status === 400, `answered HTTP ${reply.status}`);
      },
    })),
    {
      name: '50 sockets opened and dropped at once',
      run: async ({ server }) => {
        const sockets = Array.from(
          { length: 50 },
          () =>
            new WebSocket(`ws://127.0.0.1:${server.port}/events`, {
              headers: { 'x-v2l-token': server.token },
            }),
        );
        await Promise.all(
          sockets.map((s) => new Promise((resolve) => (s.once('open', resolve), s.once('error', resolve)))),
        );
        for (const s of sockets) s.terminate();
      },
    },
  ],
};
