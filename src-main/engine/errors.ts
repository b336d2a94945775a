import type { ErrorCode, ErrorPayload } from '../../src-shared/contract/errors';

/**
 * The one error type the engine throws on purpose. `code` is stable and machine-readable; `message` is for
 * people and must name the file or value at fault and the cause.
 */
export class StudioError extends Error {
  override readonly name = 'StudioError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message };
  }
}

/** Name-based guard: instanceof fails for errors re-created on the other side of a boundary. */
export function isStudioError(error: unknown): error is StudioError {
  return error instanceof Error && error.name === 'StudioError' && 'code' in error;
}

/** Turns anything thrown into a payload that can be sent to the renderer without leaking internals. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (isStudioError(error)) return error.toPayload();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `Internal error: ${message}` };
}
