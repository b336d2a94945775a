/**
 * Error codes shared by every transport. Errors lose their prototype when they cross IPC or HTTP, so the
 * renderer identifies them by `code` and shows `message`, which always names the cause and, where there is
 * one, the fix.
 */
export const ERROR_CODES = [
  'FILE_NOT_FOUND',
  'FILE_UNREADABLE',
  'FILE_EMPTY',
  'FILE_UNWRITABLE',
  'IMAGE_UNSUPPORTED_FORMAT',
  'IMAGE_CORRUPT',
  'IMAGE_TOO_LARGE',
  'OUTPUT_EXISTS',
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'MODEL_INVALID',
  'JOB_CANCELLED',
  'UNAUTHORIZED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The serialisable shape of an error after it has crossed a process or network boundary. */
export interface ErrorPayload {
  readonly code: ErrorCode;
  readonly message: string;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
