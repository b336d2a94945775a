import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'v2l_token';
export const TOKEN_HEADER = 'x-v2l-token';

export function newLaunchToken(): string {
  return randomBytes(24).toString('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/** The token a request carries: header (CLI, tests), cookie (the browser after the first visit), or query. */
export function presentedToken(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers[TOKEN_HEADER];
  if (typeof header === 'string') return header;
  return cookieValue(req.headers.cookie, TOKEN_COOKIE) ?? url.searchParams.get('token') ?? undefined;
}

export function isAuthorised(req: IncomingMessage, url: URL, token: string): boolean {
  const presented = presentedToken(req, url);
  return presented !== undefined && safeEqual(presented, token);
}

/**
 * Refuses requests whose Host is not our loopback address, which defeats DNS-rebinding attacks from web pages,
 * and cross-origin browser requests to the API and socket.
 */
export function isSameOriginLoopback(req: IncomingMessage, port: number): boolean {
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!allowedHosts.includes(req.headers.host ?? '')) return false;
  const origin = req.headers.origin;
  return origin === undefined || allowedHosts.some((h) => origin === `http://${h}`);
}
