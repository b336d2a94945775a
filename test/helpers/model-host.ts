import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** A real HTTP server on 127.0.0.1 with range requests, like a model host; `stallFrom` holds back later chunks. */
export class ModelHost {
  readonly files = new Map<string, Buffer>();
  readonly ranges: string[] = [];
  stallFrom: number | null = null;
  private server = http.createServer((req, res) => this.handle(req, res));
  private stalled: http.ServerResponse[] = [];
  port = 0;

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(name: string) {
    return `http://127.0.0.1:${this.port}/models/${name}`;
  }

  release() {
    this.stallFrom = null;
    for (const res of this.stalled) res.destroy();
    this.stalled = [];
  }

  async stop() {
    this.release();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const body = this.files.get(path.basename(req.url ?? ''));
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
    if (range) this.ranges.push(`${start}-${end}`);
    res.writeHead(range ? 206 : 200, {
      'content-length': end - start + 1,
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${body.length}` } : {}),
    });
    if (this.stallFrom !== null && start >= this.stallFrom) {
      res.write(body.subarray(start, start + 1024));
      this.stalled.push(res);
      return;
    }
    res.end(body.subarray(start, end + 1));
  }
}
