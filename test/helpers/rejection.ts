import { expect } from 'vitest';

import { isStudioError } from '../../src-main/engine/errors';
import type { ErrorCode } from '../../src-shared/contract/errors';

/**
 * Awaits `promise`, expects it to reject with a StudioError of `code` whose message matches every pattern, and
 * returns the message for further checks. A promise that resolves fails the test.
 */
export async function rejection(
  promise: Promise<unknown>,
  code: ErrorCode,
  ...patterns: RegExp[]
): Promise<string> {
  let error: unknown;
  let rejected = false;
  try {
    await promise;
  } catch (caught) {
    error = caught;
    rejected = true;
  }
  if (!rejected) throw new Error(`expected a ${code} error, but the call succeeded`);
  if (!isStudioError(error)) throw new Error(`expected a StudioError ${code}, got ${String(error)}`);
  expect(error.code).toBe(code);
  for (const pattern of patterns) expect(error.message).toMatch(pattern);
  return error.message;
}
