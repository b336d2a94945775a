import fs from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/**
 * Serves the built renderer. Paths are resolved inside `root` only; anything that would escape it, or does not
 * exist, falls back to index.html (the studio is a single page).
 */
export function serveStatic(root: string, pathname: string, res: ServerResponse): void {
  const resolvedRoot = path.resolve(root);
  let file = path.resolve(resolvedRoot, `.${decodeURIComponent(pathname)}`);
  if (!file.startsWith(resolvedRoot + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    file = path.join(resolvedRoot, 'index.html');
  }
  if (!fs.existsSync(file)) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`The studio's interface is not built (${file} is missing): run "npm run build" first.`);
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'cache-control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
  });
  fs.createReadStream(file).pipe(res);
}
