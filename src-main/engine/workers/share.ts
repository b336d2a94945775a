/*
 * Large typed arrays cross between the main thread and the image workers as SharedArrayBuffers: posting one
 * shares the memory instead of copying it, so neither side's event loop spends time copying a 100 MP photo.
 */

/** Arrays below this size are copied when posted; the copy is cheaper than a shared allocation. */
const SHARE_FROM_BYTES = 64 * 1024;

type TypedArray = Exclude<ArrayBufferView, DataView>;

function isTypedArray(value: unknown): value is TypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

/** A copy of the array in shared memory, of the same type (a Buffer comes back as a plain Uint8Array). */
export function sharedCopy<T extends TypedArray>(array: T): T {
  const shared = new SharedArrayBuffer(array.byteLength);
  new Uint8Array(shared).set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  if (array instanceof Buffer) return new Uint8Array(shared) as unknown as T;
  const Kind = array.constructor as new (buffer: SharedArrayBuffer) => T;
  return new Kind(shared);
}

export function isShared(array: ArrayBufferView): boolean {
  return array.buffer instanceof SharedArrayBuffer;
}

/**
 * The value with `leaf` applied to everything in it that is not a plain object or an array, which are walked and
 * copied. Other objects (typed arrays among them) are leaves too.
 */
function mapLeaves(value: unknown, leaf: (value: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => mapLeaves(item, leaf));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    // fromEntries defines own properties: a parsed "__proto__" key stays a key, never the copy's prototype.
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapLeaves(item, leaf)]));
  }
  return leaf(value);
}

/**
 * The value with every large typed array in it moved to shared memory (arrays already shared are kept as they
 * are). Walks plain objects and arrays only; other objects are returned unchanged.
 */
export function shareLarge<T>(value: T): T {
  return mapLeaves(value, (item) =>
    isTypedArray(item) && item.byteLength >= SHARE_FROM_BYTES && !isShared(item) ? sharedCopy(item) : item,
  ) as T;
}

/** Strings from this length are handed over as shared bytes by shareLongText. */
const SHARE_TEXT_FROM_CHARS = 1_000_000;

const NOT_ASCII = /[\u0080-\uffff]/;

/**
 * The value with every ASCII string of a million characters or more replaced by its bytes in shared memory
 * (AsciiBytes in the contract's validators). Posting a 190 MB string makes the receiving thread allocate and
 * copy it, which held the server's event loop for 0.5-1.2 s on a 2-core machine; shared bytes cross for free.
 * Other strings, and containers other than plain objects and arrays, are kept as they are.
 */
export function shareLongText(value: unknown): unknown {
  return mapLeaves(value, (item) => {
    if (typeof item !== 'string' || item.length < SHARE_TEXT_FROM_CHARS || NOT_ASCII.test(item)) return item;
    const bytes = new Uint8Array(new SharedArrayBuffer(item.length));
    Buffer.from(bytes.buffer).write(item, 'latin1');
    return bytes;
  });
}
