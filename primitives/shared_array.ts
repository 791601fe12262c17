import {
  type Handle,
  Layout,
  newTag,
  pinned,
  Rebuild,
  registerKind,
  track,
} from "./_handle.ts";
import {
  describeMemory,
  isMemory,
  memoryLength,
  type MemoryRef,
  newMemory,
  openMemory,
  type SharedMemory,
} from "./_memory.ts";
import { ownMemory } from "./_heap.ts";
import { checkInteger, quote, type WaitOptions } from "../internal/options.ts";
import {
  Cells,
  checkElement,
  checkOptions,
  type ElementOf,
  lockHandles,
  lockOf,
  lockParts,
  makeLock,
  partsOf,
  requireLock,
  type SharedOptions,
  TYPE,
  type TypedArrays,
  type TypeInfo,
  typeOf,
  TYPES,
  updateLocked,
  updateLockedSync,
  type ValueType,
} from "./_elements.ts";
import type { Lock } from "./lock.ts";
import type { RLock } from "./rlock.ts";

/**
 * The handle of a {@linkcode SharedArray}: its header in the shared heap,
 * and its elements in a SharedArrayBuffer of their own.
 */
export interface SharedArrayHandle extends Handle {
  /**
   * The elements, from byte 0, then 8 bytes that tie the buffer to its
   * array (a handle with another array's buffer is refused).
   */
  readonly data: MemoryRef;
}

/** Where a SharedArray's data buffer keeps its tag: after the elements. */
export function tagIndex(elementBytes: number): number {
  return Math.ceil(elementBytes / 8) * 2;
}

/** The tag of a data buffer of `elementBytes` bytes of elements, or 0. */
export function tagOf(data: unknown, elementBytes: number): number {
  if (
    !isMemory(data, false) ||
    memoryLength(data as SharedMemory) !== 4 * tagIndex(elementBytes) + 8
  ) {
    return 0;
  }
  return Atomics.load(
    new Int32Array(data as SharedMemory),
    tagIndex(elementBytes),
  );
}

// ---------------------------------------------------------------------------
// SharedArray

// Words: [magic, type code, length, has a lock (0 or 1)]. The elements live
// in a SharedArrayBuffer of their own, carried by the handle.
const LENGTH = 2;
const ARRAY_FLAGS = 3;
const arrayLayout = new Layout("SharedArray", 0x53415252, 4);

const rebuildArray = new Rebuild<{
  words: Int32Array;
  info: TypeInfo;
  data: SharedMemory;
  lock: Lock | RLock | undefined;
}>();

/**
 * A fixed-length array of numbers in shared memory, seen by the main thread
 * and any number of Workers: Python's `multiprocessing.Array`. Its type is
 * one of {@linkcode ValueType}; 64-bit integers are `bigint`s, the rest
 * `number`s. The elements live in a SharedArrayBuffer of their own, so the
 * array can be large.
 *
 * What is atomic, and what is not:
 *
 * - `get(i)` and `set(i, v)`, on every type: one atomic read or write each,
 *   without the lock. Iterating and `toArray()` read element by element:
 *   hold the lock around them (and around the writers) for a consistent
 *   snapshot.
 * - `update(i, fn)` / `updateSync(i, fn)`, on every type: hold the lock
 *   around the read, the call and the write.
 * - {@linkcode SharedArray.array} is the raw typed array: plain, fast, and
 *   never locked. On an integer type, `Atomics.add(arr.array, i, 1)` is an
 *   exact increment with no lock; `arr.array[i] += 1` is not, on any type.
 *
 * Pass it to a Worker as `arr.handle` and rebuild it there with
 * {@linkcode SharedArray.from}; the handle carries the elements and the
 * lock. Times are in milliseconds.
 *
 * @typeParam T The element type.
 *
 * @example Workers fill their own slices; the lock guards a shared sum
 * ```ts
 * import { SharedArray } from "@parallel/parallel";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * const squares = new SharedArray("f64", 4);
 * const inWorker = SharedArray.from<"f64">(squares.handle); // what a Worker does
 * for (let i = 0; i < 4; i++) inWorker.set(i, i * i);
 * deepStrictEqual(squares.toArray(), [0, 1, 4, 9]);
 *
 * squares.updateSync(0, (x) => x + 0.5); // a float += under the lock
 * Atomics.add(new SharedArray("i32", [1, 2]).array, 0, 1); // lock-free
 * strictEqual(squares.get(0), 0.5);
 * ```
 */
export class SharedArray<T extends ValueType = ValueType>
  implements Iterable<ElementOf<T>> {
  #words: Int32Array;
  #data: SharedMemory;
  #cells: Cells;
  #length: number;
  #lock: Lock | RLock | undefined;

  static {
    registerKind(
      "SharedArray",
      SharedArray.from,
      SharedArray,
      (array: SharedArray): SharedArrayHandle => ({
        ...arrayLayout.handle(array.#words, lockHandles(array.#lock)),
        data: describeMemory(array.#data),
      }),
    );
  }

  /**
   * Creates an array in shared memory.
   *
   * @param type The element type, such as `"i32"`, `"f64"` or `"bigint64"`.
   * @param lengthOrValues A length (the elements are zero), or the values
   * (any iterable of numbers, or of `bigint`s for the 64-bit types).
   * @param options `lock`: `true` (default) for a new RLock, a Lock or RLock
   * to use, or `false` for none.
   * @throws {TypeError} If `type` is not a string, `lengthOrValues` is
   * neither a number nor an iterable, a value has the wrong type, or an
   * option has the wrong type.
   * @throws {RangeError} If `type` is not a known type, the length is not a
   * non-negative integer, or a value is not an integer in the range of an
   * integer type.
   *
   * @example By length or by values
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * deepStrictEqual(new SharedArray("u8", 3).toArray(), [0, 0, 0]);
   * deepStrictEqual(new SharedArray("bigint64", [1n, -2n]).toArray(), [1n, -2n]);
   * ```
   */
  constructor(
    type: T,
    lengthOrValues: number | Iterable<ElementOf<T>>,
    options?: SharedOptions,
  ) {
    const opened = rebuildArray.take();
    if (opened) {
      ({ words: this.#words, data: this.#data, lock: this.#lock } = opened);
      track(this, this.#words, true, "SharedArray");
      this.#length = Atomics.load(this.#words, LENGTH);
      this.#cells = new Cells(opened.info, this.#data, 0, this.#length);
      return;
    }
    const where = "Cannot create SharedArray";
    const info = typeOf(where, type);
    let values: unknown[] | undefined;
    if (typeof lengthOrValues === "number") {
      checkInteger(where, "length", lengthOrValues, 0);
    } else if (
      typeof lengthOrValues === "object" && lengthOrValues !== null &&
      typeof (lengthOrValues as Iterable<unknown>)[Symbol.iterator] ===
        "function"
    ) {
      values = Array.from(lengthOrValues as Iterable<unknown>);
      checkInteger(where, "length", values.length, 0);
      values.forEach((value, i) =>
        checkElement(where, `'values[${i}]'`, info, value)
      );
    } else {
      throw new TypeError(
        `${where}: 'lengthOrValues' must be a length or an iterable of values, received ${
          quote(lengthOrValues)
        }`,
      );
    }
    const length = values?.length ?? (lengthOrValues as number);
    const choice = checkOptions(where, options);
    const bytes = length * info.bytes;
    this.#data = newMemory(4 * tagIndex(bytes) + 8);
    const tag = newTag();
    Atomics.store(new Int32Array(this.#data), tagIndex(bytes), tag);
    this.#length = length;
    this.#cells = new Cells(info, this.#data, 0, length);
    // Plain writes: no other thread can see the buffer before a handle
    // travels, which orders them.
    if (values) (this.#cells.view as Int32Array).set(values as number[]);
    this.#lock = makeLock(choice);
    this.#words = arrayLayout.allocate(4, lockParts(this.#lock), [tag]);
    ownMemory(this.#data, this.#words);
    track(this, this.#words, false, "SharedArray");
    Atomics.store(this.#words, TYPE, info.code);
    Atomics.store(this.#words, LENGTH, length);
    Atomics.store(this.#words, ARRAY_FLAGS, this.#lock === undefined ? 0 : 1);
  }

  /**
   * Rebuilds an array from its {@linkcode SharedArray.handle}, in any
   * thread, with its lock.
   *
   * @typeParam T The element type you expect; not checked (compare
   * {@linkcode SharedArray.type}).
   * @param handle A handle made by `arr.handle`.
   * @returns A SharedArray that shares the original's elements and lock.
   * @throws {TypeError} If `handle` is not the handle of a SharedArray.
   *
   * @example A copy sees the original's writes
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const arr = new SharedArray("i32", [1, 2, 3]);
   * const copy = SharedArray.from<"i32">(structuredClone(arr.handle));
   * arr.set(2, 30);
   * strictEqual(copy.get(2), 30);
   * ```
   */
  static from<T extends ValueType = ValueType>(
    handle: Handle,
  ): SharedArray<T> {
    const where = "Cannot create SharedArray from handle";
    const words = arrayLayout.open(handle, partsOf(handle));
    const given = (handle as Partial<SharedArrayHandle>).data;
    const data = openMemory(given);
    const info = TYPES[Atomics.load(words, TYPE) - 1];
    const length = Atomics.load(words, LENGTH);
    const flags = Atomics.load(words, ARRAY_FLAGS);
    if (info === undefined || length < 0 || (flags !== 0 && flags !== 1)) {
      throw new TypeError(
        `${where}: its buffer at offset ${
          quote(handle.byteOffset)
        } is not the memory of a SharedArray`,
      );
    }
    const bytes = length * info.bytes;
    if (
      data === undefined || !isMemory(data, false) ||
      memoryLength(data) !== 4 * tagIndex(bytes) + 8
    ) {
      throw new TypeError(
        `${where}: 'data' must be a SharedArrayBuffer of ${
          4 * tagIndex(bytes) + 8
        } bytes (${length} "${info.name}" elements and a tag), received ${
          data !== undefined
            ? `one of ${memoryLength(data)} bytes`
            : quote(given)
        }`,
      );
    }
    arrayLayout.checkOwn(words, [tagOf(data, bytes)], "'data'");
    const lock = lockOf(where, "SharedArray", handle, flags === 1);
    arrayLayout.checkParts(words, handle);
    return rebuildArray.with(
      { words, info, data, lock },
      () => new SharedArray(info.name as T, 0),
    );
  }

  /**
   * A structured-cloneable handle to send to a Worker (with `postMessage`),
   * where {@linkcode SharedArray.from} turns it back into the same array. It
   * carries the elements' memory in `data` (a SharedArrayBuffer, or, with
   * --allow-ffi, how to map memory that processes share) and the lock's
   * handle in `parts`.
   *
   * @example The handle carries the elements
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const handle = new SharedArray("f64", [1, 2, 3]).handle;
   * strictEqual(handle.kind, "SharedArray");
   * strictEqual(SharedArray.from<"f64">(handle).get(2), 3);
   * ```
   */
  get handle(): SharedArrayHandle {
    return pinned({
      ...arrayLayout.handle(this.#words, lockHandles(this.#lock)),
      data: describeMemory(this.#data),
    });
  }

  /**
   * The element type, such as `"f64"`.
   *
   * @example Read it back
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new SharedArray("u16", 1).type, "u16");
   * ```
   */
  get type(): T {
    return this.#cells.info.name as T;
  }

  /**
   * How many elements the array has; fixed at creation.
   *
   * @example Read it back
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new SharedArray("i32", [4, 5]).length, 2);
   * ```
   */
  get length(): number {
    return this.#length;
  }

  /**
   * The raw typed array over the elements, for fast loops and for
   * `Atomics`. It is not locked and its accesses are plain: on an integer
   * type, `Atomics.add(arr.array, i, n)` is exact across threads, while
   * `arr.array[i] += n` is not.
   *
   * @example Sum with a plain loop
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const arr = new SharedArray("f64", [0.5, 1, 1.5]);
   * let sum = 0;
   * for (const x of arr.array) sum += x;
   * strictEqual(sum, 3);
   * ```
   */
  get array(): TypedArrays[T] {
    return this.#cells.view as TypedArrays[T];
  }

  #index(where: string, index: unknown): number {
    if (typeof index !== "number") {
      throw new TypeError(
        `${where}: 'index' must be an integer, received ${quote(index)}`,
      );
    }
    if (!Number.isInteger(index) || index < 0 || index >= this.#length) {
      throw new RangeError(
        this.#length === 0
          ? `${where}: 'index' is out of range, as the array is empty, received ${index}`
          : `${where}: 'index' must be an integer from 0 to ${
            this.#length - 1
          }, received ${index}`,
      );
    }
    return index;
  }

  /**
   * Reads one element atomically, without the lock.
   *
   * @param index From 0 to `length - 1`.
   * @returns The element.
   * @throws {TypeError} If `index` is not a number.
   * @throws {RangeError} If `index` is not an integer in range.
   *
   * @example Read an element
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new SharedArray("i8", [-1, -2]).get(1), -2);
   * ```
   */
  get(index: number): ElementOf<T> {
    const i = this.#index("Cannot get SharedArray element", index);
    return this.#cells.load(i) as ElementOf<T>;
  }

  /**
   * Writes one element atomically, without the lock.
   *
   * @param index From 0 to `length - 1`.
   * @param value The new element, of the element type.
   * @throws {TypeError} If `index` is not a number, or `value` has the wrong
   * type (a `bigint` for a number type, or the reverse).
   * @throws {RangeError} If `index` is not an integer in range, or `value` is
   * not an integer in the range of an integer type.
   *
   * @example Write an element
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const arr = new SharedArray("biguint64", 2);
   * arr.set(1, 2n ** 64n - 1n);
   * strictEqual(arr.get(1), 18446744073709551615n);
   * ```
   */
  set(index: number, value: ElementOf<T>): void {
    const where = "Cannot set SharedArray element";
    const i = this.#index(where, index);
    this.#cells.store(
      i,
      checkElement(where, "'value'", this.#cells.info, value),
    );
  }

  /**
   * Replaces one element by `fn(element)` while holding the lock, waiting for
   * it without blocking the event loop. Works on every type. Only code that
   * holds the lock is kept out: `set` and `array` do not take it.
   *
   * @param index From 0 to `length - 1`.
   * @param fn Computes the new element from the current one; it must not
   * wait. If it throws, the element is unchanged.
   * @param options `timeout` in milliseconds to wait for the lock, and an
   * `AbortSignal`.
   * @returns The new element.
   * @throws {TypeError} If the array has no lock, `index` is not a number,
   * `fn` is not a function, or it returns a value of the wrong type.
   * @throws {RangeError} If `index` is out of range, or `fn` returns a value
   * out of an integer type's range.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   *
   * @example Add to a float element
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const totals = new SharedArray("f64", 2);
   * strictEqual(await totals.update(1, (x) => x + 0.25), 0.25);
   * ```
   */
  async update(
    index: number,
    fn: (value: ElementOf<T>) => ElementOf<T>,
    options?: WaitOptions,
  ): Promise<ElementOf<T>> {
    const where = "Cannot update SharedArray element";
    const i = this.#index(where, index);
    return await updateLocked(
      where,
      "SharedArray",
      this.#lock,
      this.#cells,
      i,
      fn,
      options,
    ) as ElementOf<T>;
  }

  /**
   * Replaces one element by `fn(element)` while holding the lock, blocking
   * the thread while it waits for it; see {@linkcode SharedArray.update}.
   *
   * @param index From 0 to `length - 1`.
   * @param fn Computes the new element from the current one. If it throws,
   * the element is unchanged.
   * @param options `timeout` in milliseconds to wait for the lock, and an
   * `AbortSignal` checked before the thread blocks.
   * @returns The new element.
   * @throws {TypeError} If the array has no lock, `index` is not a number,
   * `fn` is not a function, or it returns a value of the wrong type.
   * @throws {RangeError} If `index` is out of range, or `fn` returns a value
   * out of an integer type's range.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   *
   * @example Double an element
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const arr = new SharedArray("u16", [21]);
   * strictEqual(arr.updateSync(0, (x) => x * 2), 42);
   * ```
   */
  updateSync(
    index: number,
    fn: (value: ElementOf<T>) => ElementOf<T>,
    options?: WaitOptions,
  ): ElementOf<T> {
    const where = "Cannot update SharedArray element";
    const i = this.#index(where, index);
    return updateLockedSync(
      where,
      "SharedArray",
      this.#lock,
      this.#cells,
      i,
      fn,
      options,
    ) as ElementOf<T>;
  }

  /**
   * Returns the lock that guards the array: Python's `get_lock()`.
   *
   * @returns The RLock made for the array, or the Lock or RLock given as the
   * `lock` option.
   * @throws {TypeError} If the array was created with `{ lock: false }`.
   *
   * @example A consistent snapshot
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const arr = new SharedArray("i32", [1, 2]);
   * using _ = arr.getLock().holdSync();
   * deepStrictEqual(arr.toArray(), [1, 2]);
   * ```
   */
  getLock(): Lock | RLock {
    return requireLock(
      "Cannot get the lock of SharedArray",
      "SharedArray",
      this.#lock,
    );
  }

  /**
   * Copies the elements into a plain array: Python's `arr[:]`. Each element
   * is read atomically, but not all at once: hold the lock for a snapshot.
   *
   * @returns A new array of the elements.
   *
   * @example The copy does not follow later writes
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const arr = new SharedArray("i32", [1, 2]);
   * const copy = arr.toArray();
   * arr.set(0, 10);
   * deepStrictEqual(copy, [1, 2]);
   * ```
   */
  toArray(): ElementOf<T>[] {
    const out = new Array<ElementOf<T>>(this.#length);
    for (let i = 0; i < this.#length; i++) {
      out[i] = this.#cells.load(i) as ElementOf<T>;
    }
    return out;
  }

  /**
   * Iterates over the elements, reading each atomically when it is reached.
   *
   * @returns An iterator of the elements.
   *
   * @example Spread into an array
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * deepStrictEqual([...new SharedArray("u8", [3, 1])], [3, 1]);
   * ```
   */
  *[Symbol.iterator](): IterableIterator<ElementOf<T>> {
    for (let i = 0; i < this.#length; i++) {
      yield this.#cells.load(i) as ElementOf<T>;
    }
  }
}
