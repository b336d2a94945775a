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
  const decoded = decodePath(pathname);
  if (decoded === null) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Bad request: the address has a broken %-escape.');
    return;
  }
  let file = path.resolve(resolvedRoot, `.${decoded}`);
  if (!file.startsWith(resolvedRoot + path.sep) || !isRegularFile(file)) {
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
  const stream = fs.createReadStream(file);
  // A file that vanishes or cannot be read mid-reply ends this reply only, never the server.
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** The path with its %-escapes decoded, or null when one is broken (/%E0%A4%A) or decodes to a NUL byte. */
function decodePath(pathname: string): string | null {
  try {
    const decoded = decodeURIComponent(pathname);
    return decoded.includes('\0') ? null : decoded;
  } catch {
    return null;
  }
}

function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
