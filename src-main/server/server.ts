import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { MAX_UPLOAD_BASE64, type StudioApi, type StudioEvent } from '../../src-preload/contract/api';
import { dispatch } from '../api/dispatch';
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
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
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
        location: url.pathname,
      });
      return res.end();
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return reply(res, 405, 'Use POST for API calls.');
      return void handleApi(options.api, url.pathname.slice('/api/'.length), req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'Method not allowed.');
    for (const [key, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(key, value);
    serveStatic(options.rendererDir, url.pathname, res);
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/events' || !isSameOriginLoopback(req, port) || !isAuthorised(req, url, token)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  });
  const unsubscribe = options.subscribe((event) => {
    const text = JSON.stringify(event);
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
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

function reply(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

async function handleApi(
  api: StudioApi,
  method: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return reply(res, 415, 'API calls must send application/json.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return reply(res, 413, 'Request too large.');
    chunks.push(chunk);
  }
  let input: unknown;
  try {
    const text = Buffer.concat(chunks).toString('utf8');
    input = text.length === 0 ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return reply(res, 400, 'The request body is not valid JSON.');
  }
  const envelope = await dispatch(api, method, input);
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json' });
  res.end(JSON.stringify(envelope));
}
