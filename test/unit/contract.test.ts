import { describe, expect, it } from 'vitest';
import { INPUT_VALIDATORS, METHOD_NAMES, type StudioApi } from '../../src-shared/contract/api';
import { ContractViolation } from '../../src-shared/contract/validate';
import { dispatch } from '../../src-main/api/dispatch';
import { StudioError } from '../../src-main/engine/errors';

describe('contract validators', () => {
  it('accept well-formed input and return exactly the declared fields', () => {
    expect(INPUT_VALIDATORS.openSample({ id: 'astronaut' }, 'input')).toEqual({ id: 'astronaut' });
    expect(INPUT_VALIDATORS.updateSettings({ theme: 'dark' }, 'input')).toEqual({ theme: 'dark' });
    expect(INPUT_VALIDATORS.appInfo(undefined, 'input')).toBeUndefined();
  });

  it.each([
    ['openSample', { id: 5 }, /input.id must be a string, got number/],
    ['openSample', { id: 'a', extra: true }, /input.extra is not an accepted field/],
    ['openSample', {}, /input.id is required/],
    ['recentImages', { limit: 0 }, /input.limit must be >= 1/],
    ['recentImages', { limit: 1.5 }, /input.limit must be an integer/],
    ['updateSettings', { theme: 'neon' }, /input.theme must be one of system, light, dark/],
    ['appInfo', { anything: 1 }, /input must be empty/],
    ['openUpload', ['a'], /input must be an object, got array/],
  ] as const)('%s refuses %j', (method, input, message) => {
    expect(() => INPUT_VALIDATORS[method](input as never, 'input')).toThrow(ContractViolation);
    expect(() => INPUT_VALIDATORS[method](input as never, 'input')).toThrow(message);
  });
});

describe('dispatch', () => {
  const calls: unknown[] = [];
  const api = Object.fromEntries(
    METHOD_NAMES.map((name) => [
      name,
      (input: unknown) => {
        calls.push([name, input]);
        if (name === 'openSample')
          return Promise.reject(new StudioError('NOT_FOUND', 'There is no sample "x".'));
        if (name === 'cancelJob') return Promise.reject(new TypeError('boom'));
        return Promise.resolve('value');
      },
    ]),
  ) as unknown as StudioApi;

  it('calls the method with the validated input', async () => {
    expect(await dispatch(api, 'recentImages', { limit: 3 })).toEqual({ ok: true, value: 'value' });
    expect(calls.at(-1)).toEqual(['recentImages', { limit: 3 }]);
  });

  it('refuses unknown methods and prototype names', async () => {
    for (const method of ['nope', 'constructor', '__proto__', 42]) {
      const result = await dispatch(api, method, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    }
  });

  it('never calls the engine with invalid input', async () => {
    const before = calls.length;
    expect(await dispatch(api, 'recentImages', { limit: 'all' })).toEqual({
      ok: false,
      error: {
        code: 'INVALID_ARGUMENT',
        message: 'Invalid request to recentImages: input.limit must be a finite number, got string',
      },
    });
    expect(calls.length).toBe(before);
  });

  it('passes studio errors through and hides the type of unexpected ones', async () => {
    expect(await dispatch(api, 'openSample', { id: 'x' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'There is no sample "x".' },
    });
    expect(await dispatch(api, 'cancelJob', { jobId: 'j' })).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'Internal error: boom' },
    });
  });
});
