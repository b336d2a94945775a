import { isErrorCode, type ErrorCode, type ErrorPayload } from '../../../src-shared/contract/errors';

/** What the renderer knows of an engine error after it crossed IPC or HTTP: a code and a message. */
export function errorPayloadOf(error: unknown): ErrorPayload {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    const message = (error as { message?: unknown }).message;
    if (isErrorCode(code) && typeof message === 'string') return { code, message };
    if (typeof message === 'string') return { code: 'INTERNAL', message };
  }
  return { code: 'INTERNAL', message: String(error) };
}

export function studioError(payload: ErrorPayload): Error & { code: ErrorCode } {
  return Object.assign(new Error(payload.message), { name: 'StudioError', code: payload.code });
}
