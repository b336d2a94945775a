import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { MAX_UPLOAD_BASE64, type StudioApi, type StudioEvent } from '../../src-shared/contract/api';
import { dispatch } from '../api/dispatch';
import { parseJsonOffThread } from '../engine/workers/image-pool';
import { isAuthorised, isSameOriginLoopback, newLaunchToken, TOKEN_COOKIE } from './auth';
import { serveStatic } from './static';

export interface ServerOptions {
  readonly api: StudioApi;
  /** Subscribes to engine events; returns the unsubscribe function. */
  readonly subscribe: (listener: (event: StudioEvent) => void) => () => void;
  readonly rendererDir: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly token?: string;
}

export interface RunningServer {
  readonly url: string;
  /** The URL to open in a browser: it carries the launch token once, then a cookie takes over. */
  readonly launchUrl: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = MAX_UPLOAD_BASE64 + 1_000_000;
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * The studio's local server mode: the built renderer plus the same API as Electron IPC, over HTTP
 * (POST /api/<method>) and a WebSocket for events (/events). It binds to 127.0.0.1 only and requires the
 * random per-launch token on every request and socket.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newLaunchToken();
  let port = 0;

  const server = http.createServer((req, res) => {
    // No request, however malformed, may end the process: anything thrown here becomes a 400 or 500 reply.
    try {
      route(req, res);
    } catch (error) {
      failRequest(res, error);
    }
  });

  const route = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = requestUrl(req);
    if (url === null) return reply(res, 400, 'Bad request: the address is not a valid URL.');
    if (!isSameOriginLoopback(req, port))
      return reply(res, 403, 'Forbidden: requests must come from this machine.');
    if (!isAuthorised(req, url, token)) {
      return reply(
        res,
        401,
        'Unauthorized: open the address printed by "npm run serve" (it carries the launch token).',
      );
    }
    if (url.searchParams.has('token') && req.method === 'GET') {
      // Trade the token in the address for an HttpOnly cookie, and drop it from the address bar and history.
      res.writeHead(302, {
        ...SECURITY_HEADERS,
        'set-cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        // Always the studio's own root: a path such as //example.com would make the browser leave for another host.
        location: '/',
      });
      return res.end();
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return reply(res, 405, 'Use POST for API calls.');
      handleApi(options.api, url.pathname.slice('/api/'.length), req, res).catch((error: unknown) =>
        failRequest(res, error),
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'Method not allowed.');
    for (const [key, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(key, value);
    serveStatic(options.rendererDir, url.pathname, res);
  };

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = requestUrl(req);
    if (
      url === null ||
      url.pathname !== '/events' ||
      !isSameOriginLoopback(req, port) ||
      !isAuthorised(req, url, token)
    ) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      // A client that sends a broken or oversized frame gets its socket closed; without a listener the error
      // would be thrown and end the process.
      ws.on('error', () => ws.terminate());
      sockets.emit('connection', ws, req);
    });
  });
  const unsubscribe = options.subscribe((event) => {
    const text = JSON.stringify(event);
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  // After start-up, a failure of the listening socket (too many open files) is logged; it must not end the studio.
  server.on('error', (error) => console.error(`Server error: ${error.message}`));
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;

  return {
    url,
    launchUrl: `${url}?token=${token}`,
    token,
    port,
    close: async () => {
      unsubscribe();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The request's address, or null when it cannot be parsed (GET http://[ is possible on the wire). */
function requestUrl(req: http.IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/**
 * The last stop for a failure while answering one request: the client gets a 500 (when it is still there and
 * nothing was sent yet) and the server goes on. A client that went away is not an error of the server.
 */
function failRequest(res: http.ServerResponse, error: unknown): void {
  if (!isClientGone(error))
    console.error(`Request failed: ${error instanceof Error ? error.message : String(error)}`);
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  reply(res, 500, 'The server could not answer this request.');
}

function isClientGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'EPIPE';
}

function reply(res: http.ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/**
 * Bytes of API request bodies held in memory at once, over all requests. A body of up to MAX_BODY_BYTES is held
 * whole (it is one JSON document); without a shared budget a few parallel uploads would take gigabytes.
 */
const MAX_BODY_BYTES_IN_FLIGHT = 2 * MAX_BODY_BYTES;
/** Bodies from this size are parsed in a worker; smaller ones parse in well under a millisecond per 10 KB. */
const PARSE_OFF_THREAD_BYTES = 1_000_000;
let bodyBytesInFlight = 0;

async function handleApi(
  api: StudioApi,
  method: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return reply(res, 415, 'API calls must send application/json.');
  }
  // A large body (a photo upload, up to 200 MB of base64) took seconds of JSON.parse on the event loop: it is
  // gathered into shared memory as it arrives (no big copy at the end) and parsed in an image worker.
  const declared = Number(req.headers['content-length'] ?? NaN);
  const large =
    Number.isInteger(declared) && declared >= PARSE_OFF_THREAD_BYTES && declared <= MAX_BODY_BYTES
      ? new Uint8Array(new SharedArrayBuffer(declared))
      : null;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      bodyBytesInFlight += chunk.length;
      if (size > MAX_BODY_BYTES) return reply(res, 413, 'Request too large.');
      if (bodyBytesInFlight > MAX_BODY_BYTES_IN_FLIGHT) {
        return reply(res, 503, 'The server is receiving other large requests: send this one again shortly.');
      }
      if (large && size <= large.length) large.set(chunk, size - chunk.length);
      else chunks.push(chunk);
    }
  } finally {
    bodyBytesInFlight -= size;
  }
  let input: unknown;
  try {
    if (large) {
      if (size !== large.length)
        return reply(res, 400, 'The request body does not match its Content-Length.');
      input = await parseJsonOffThread(large);
    } else {
      const text = Buffer.concat(chunks).toString('utf8');
      input = text.length === 0 ? undefined : (JSON.parse(text) as unknown);
    }
  } catch {
    return reply(res, 400, 'The request body is not valid JSON.');
  }
  const envelope = await dispatch(api, method, input);
  if (res.destroyed) return;
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json' });
  res.end(JSON.stringify(envelope));
}
