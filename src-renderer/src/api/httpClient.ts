import {
  METHOD_NAMES,
  type Envelope,
  type StudioClient,
  type StudioEvent,
} from '../../../src-shared/contract/api';
import { studioError } from './studioError';

/**
 * The renderer's client for the local server mode: the same methods as the Electron preload, over
 * POST /api/<method>, and events over a WebSocket that reconnects if the server restarts. Authentication rides
 * on the HttpOnly cookie the server set when the launch address was opened.
 */
export function createHttpClient(origin: string = window.location.origin): StudioClient {
  const listeners = new Set<(event: StudioEvent) => void>();
  let socket: WebSocket | null = null;

  const connect = () => {
    socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/events`);
    socket.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as StudioEvent;
      for (const listener of listeners) listener(event);
    };
    socket.onclose = () => {
      socket = null;
      if (listeners.size > 0) setTimeout(connect, 1000);
    };
  };

  const client: Record<string, unknown> = {};
  for (const method of METHOD_NAMES) {
    client[method] = async (input?: unknown) => {
      const response = await fetch(`${origin}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
      if (!response.ok) {
        throw studioError({
          code: response.status === 401 ? 'UNAUTHORIZED' : 'INTERNAL',
          message: await response.text(),
        });
      }
      const envelope = (await response.json()) as Envelope<unknown>;
      if (envelope.ok) return envelope.value;
      throw studioError(envelope.error);
    };
  }
  client['onEvent'] = (listener: (event: StudioEvent) => void) => {
    listeners.add(listener);
    if (!socket) connect();
    return () => listeners.delete(listener);
  };
  return client as unknown as StudioClient;
}
