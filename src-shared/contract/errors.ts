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
  /** The thing asked for is already happening, or something else holds what it needs: wait, or cancel that. */
  'BUSY',
  /** A rule refused it on purpose (a download target, a request over its budget): the message names the rule. */
  'REFUSED',
  /** This shell cannot do it (a native dialog in the browser): the message names what to use instead. */
  'UNSUPPORTED',
  /** A host or server did not answer or could not be reached. */
  'UNREACHABLE',
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
