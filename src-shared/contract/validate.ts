/**
 * Minimal runtime validators for messages that cross a trust boundary (IPC, HTTP, WebSocket). Each validator
 * either returns a value of its declared type or throws a ContractViolation naming the offending field.
 * Hand-written rather than a library because the surface is small and it keeps the preload bundle tiny.
 */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

export type Validator<T> = (value: unknown, path: string) => T;

function fail(path: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  throw new ContractViolation(`${path} must be ${expected}, got ${got}`);
}

/**
 * A long ASCII string held as its bytes (one per character), usually in shared memory. The server's body parser
 * hands request strings of a million characters and more over in this form, so that a 200 MB upload is never
 * rebuilt as a string on the main thread (allocating and copying it held the event loop for up to a second).
 */
export type AsciiBytes = Uint8Array;

function isAsciiBytes(value: unknown): value is AsciiBytes {
  return value instanceof Uint8Array;
}

/** A string, or ASCII bytes (see AsciiBytes), checked for length; the bytes are kept as they are. */
export const asciiText =
  (opts: { maxLength: number; minLength?: number }): Validator<string | AsciiBytes> =>
  (value, path) => {
    if (typeof value !== 'string' && !isAsciiBytes(value)) fail(path, 'a string', value);
    if (opts.minLength !== undefined && value.length < opts.minLength)
      fail(path, `at least ${opts.minLength} characters long`, value);
    if (value.length > opts.maxLength)
      throw new ContractViolation(`${path} is longer than ${opts.maxLength} characters`);
    return value;
  };

/** A string; ASCII bytes (see AsciiBytes) are accepted and turned into one once their length has been checked. */
export const string =
  (opts: { maxLength?: number; minLength?: number } = {}): Validator<string> =>
  (value, path) => {
    const limits = { maxLength: opts.maxLength ?? Infinity };
    const text = asciiText(opts.minLength === undefined ? limits : { ...limits, minLength: opts.minLength })(
      value,
      path,
    );
    return typeof text === 'string' ? text : new TextDecoder().decode(text);
  };

export const number =
  (opts: { min?: number; max?: number; integer?: boolean } = {}): Validator<number> =>
  (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a finite number', value);
    if (opts.integer === true && !Number.isInteger(value)) fail(path, 'an integer', value);
    if (opts.min !== undefined && value < opts.min)
      throw new ContractViolation(`${path} must be >= ${opts.min}`);
    if (opts.max !== undefined && value > opts.max)
      throw new ContractViolation(`${path} must be <= ${opts.max}`);
    return value;
  };

export const boolean: Validator<boolean> = (value, path) => {
  if (typeof value !== 'boolean') fail(path, 'a boolean', value);
  return value;
};

export const literal =
  <const T extends readonly (string | number)[]>(...allowed: T): Validator<T[number]> =>
  (value, path) => {
    if (!(allowed as readonly unknown[]).includes(value)) fail(path, `one of ${allowed.join(', ')}`, value);
    return value as T[number];
  };

export const array =
  <T>(item: Validator<T>, opts: { maxLength?: number } = {}): Validator<T[]> =>
  (value, path) => {
    if (!Array.isArray(value)) fail(path, 'an array', value);
    if (opts.maxLength !== undefined && value.length > opts.maxLength)
      throw new ContractViolation(`${path} has more than ${opts.maxLength} items`);
    return value.map((entry, i) => item(entry, `${path}[${i}]`));
  };

type Shape = Record<string, Validator<unknown>>;
type Optional<T> = Validator<T> & { readonly optional: true };
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends Optional<unknown> ? K : never }[keyof S];
type Infer<V> = V extends Validator<infer T> ? T : never;
export type ObjectOf<S extends Shape> = { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Infer<S[K]>;
};

export const optional = <T>(inner: Validator<T>): Optional<T> =>
  Object.assign((value: unknown, path: string) => inner(value, path), { optional: true as const });

/** Validates a plain object with exactly the given keys; unknown keys are refused, not ignored. */
export const object =
  <S extends Shape>(shape: S): Validator<ObjectOf<S>> =>
  (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!Object.hasOwn(shape, key)) throw new ContractViolation(`${path}.${key} is not an accepted field`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const field = record[key];
      if (field === undefined) {
        if ('optional' in check) continue;
        throw new ContractViolation(`${path}.${key} is required`);
      }
      out[key] = check(field, `${path}.${key}`);
    }
    return out as ObjectOf<S>;
  };

/** For methods that take no argument: accepts undefined or an empty object. */
export const none: Validator<undefined> = (value, path) => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return undefined;
  throw new ContractViolation(`${path} must be empty`);
};

/**
 * A validator followed by checks that span several fields, which a per-field shape cannot express. Each check
 * returns null when the value is fine, or the problem as a sentence that starts with the field's path.
 */
export const refine =
  <T>(inner: Validator<T>, ...checks: readonly ((value: T, path: string) => string | null)[]): Validator<T> =>
  (value, path) => {
    const checked = inner(value, path);
    for (const check of checks) {
      const problem = check(checked, path);
      if (problem !== null) throw new ContractViolation(problem);
    }
    return checked;
  };
