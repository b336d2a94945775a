import net from 'node:net';
import type { ServerProcess } from './server';

export interface RawReply {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

/**
 * Sends bytes exactly as given (a malformed request line, a lying Content-Length) on a fresh connection and reads
 * until the server closes it or `timeoutMs` passes. Status 0: the server closed without answering.
 */
export function rawRequest(port: number, bytes: string | Buffer, timeoutMs = 5_000): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0),
        head,
        body: rest.join('\r\n\r\n'),
      });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      // One reply is enough: keep-alive would otherwise hold the socket open until the timeout.
      const text = Buffer.concat(chunks).toString('latin1');
      const length = /\r\ncontent-length: *(\d+)/i.exec(text);
      const split = text.indexOf('\r\n\r\n');
      if (
        length?.[1] &&
        split >= 0 &&
        Buffer.byteLength(text.slice(split + 4), 'latin1') >= Number(length[1])
      )
        finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(bytes);
  });
}

/** Writes `bytes` and then destroys the connection after `afterMs`, as a client that goes away mid-request. */
export function abortAfter(port: number, bytes: string | Buffer, afterMs = 50): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(bytes);
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, afterMs);
    });
    socket.on('error', () => resolve());
  });
}

/** The request head a same-origin client with the token sends. */
export function head(
  server: ServerProcess,
  method: string,
  target: string,
  extra: Record<string, string | number> = {},
) {
  const headers: Record<string, string | number> = {
    host: `127.0.0.1:${server.port}`,
    'x-v2l-token': server.token,
    connection: 'close',
    ...extra,
  };
  const lines = Object.entries(headers)
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}: ${value}`);
  return `${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

export interface Envelope {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
}

/** One API call as the browser client makes it. */
export async function api(
  server: ServerProcess,
  method: string,
  input: unknown,
  timeoutMs = 30_000,
): Promise<Envelope> {
  const response = await fetch(`${server.url}api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-v2l-token': server.token },
    body: input === undefined ? '' : JSON.stringify(input),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200)
    throw new Error(`${method} answered HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as Envelope;
}

/** The value of a successful call; throws with the error otherwise. */
export async function value<T>(server: ServerProcess, method: string, input: unknown): Promise<T> {
  const envelope = await api(server, method, input);
  if (!envelope.ok) throw new Error(`${method} failed: ${envelope.error?.code} ${envelope.error?.message}`);
  return envelope.value as T;
}

export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
