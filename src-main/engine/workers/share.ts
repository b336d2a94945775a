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
 * The value with every large typed array in it moved to shared memory (arrays already shared are kept as they
 * are). Walks plain objects and arrays only; other objects are returned unchanged.
 */
export function shareLarge<T>(value: T): T {
  if (isTypedArray(value)) {
    return value.byteLength >= SHARE_FROM_BYTES && !isShared(value) ? sharedCopy(value) : value;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => shareLarge(item)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = shareLarge(item);
    return out as T;
  }
  return value;
}
