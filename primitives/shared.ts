import {
  type Handle,
  handleOf,
  isHandle,
  Layout,
  newTag,
  pinned,
  Rebuild,
  registerKind,
  revive,
  track,
} from "./_handle.ts";
import { mutexOf } from "./_mutex.ts";
import {
  checkInteger,
  checkObject,
  quote,
  type WaitOptions,
  withArticle,
} from "./_options.ts";
import { timeoutError } from "./_timeout.ts";
import { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";

/**
 * The typed array behind each element type of {@linkcode Value} and
 * {@linkcode SharedArray}, by type name. In Python's `array` typecodes:
 * `"i8"` is `'b'`, `"u8"` `'B'`, `"i16"` `'h'`, `"u16"` `'H'`, `"i32"` `'i'`,
 * `"u32"` `'I'`, `"f32"` `'f'`, `"f64"` `'d'`, `"bigint64"` `'q'` and
 * `"biguint64"` `'Q'`. `Uint8ClampedArray` is left out: `Atomics` does not
 * work on it.
 */
export interface TypedArrays {
  /** 8-bit signed integers. */
  i8: Int8Array<SharedArrayBuffer>;
  /** 8-bit unsigned integers. */
  u8: Uint8Array<SharedArrayBuffer>;
  /** 16-bit signed integers. */
  i16: Int16Array<SharedArrayBuffer>;
  /** 16-bit unsigned integers. */
  u16: Uint16Array<SharedArrayBuffer>;
  /** 32-bit signed integers. */
  i32: Int32Array<SharedArrayBuffer>;
  /** 32-bit unsigned integers. */
  u32: Uint32Array<SharedArrayBuffer>;
  /** 32-bit floats. */
  f32: Float32Array<SharedArrayBuffer>;
  /** 64-bit floats (JavaScript's `number`). */
  f64: Float64Array<SharedArrayBuffer>;
  /** 64-bit signed integers, as `bigint`. */
  bigint64: BigInt64Array<SharedArrayBuffer>;
  /** 64-bit unsigned integers, as `bigint`. */
  biguint64: BigUint64Array<SharedArrayBuffer>;
}

/** The element type of a {@linkcode Value} or {@linkcode SharedArray}. */
export type ValueType = keyof TypedArrays;

/** The JavaScript type of one element: `bigint` for the 64-bit integers. */
export type ElementOf<T extends ValueType> = T extends "bigint64" | "biguint64"
  ? bigint
  : number;

/** Options of {@linkcode Value} and {@linkcode SharedArray}. */
export interface SharedOptions {
  /**
   * `true` (the default) makes a new {@linkcode RLock}, as Python does; a
   * Lock or RLock is used as given (several objects may share one); `false`
   * gives the raw memory, with no lock and no `getLock()`.
   */
  lock?: boolean | Lock | RLock;
}

/**
 * The handle of a {@linkcode SharedArray}: its header in the shared heap,
 * and its elements in a SharedArrayBuffer of their own.
 */
export interface SharedArrayHandle extends Handle {
  /**
   * The elements, from byte 0, then 8 bytes that tie the buffer to its
   * array (a handle with another array's buffer is refused).
   */
  readonly data: SharedArrayBuffer;
}

// ---------------------------------------------------------------------------
// Element types

type AnyArray = TypedArrays[ValueType];

interface TypeInfo {
  readonly name: ValueType;
  /** Stored in the words, so that `from()` knows the type; never 0. */
  readonly code: number;
  readonly array: new (
    buffer: SharedArrayBuffer,
    byteOffset: number,
    length: number,
  ) => AnyArray;
  readonly bytes: number;
  readonly family: "integer" | "float" | "bigint";
  readonly min: number | bigint;
  readonly max: number | bigint;
}

const TYPES: readonly TypeInfo[] = [
  ["i8", Int8Array, "integer", -0x80, 0x7f],
  ["u8", Uint8Array, "integer", 0, 0xff],
  ["i16", Int16Array, "integer", -0x8000, 0x7fff],
  ["u16", Uint16Array, "integer", 0, 0xffff],
  ["i32", Int32Array, "integer", -0x80000000, 0x7fffffff],
  ["u32", Uint32Array, "integer", 0, 0xffffffff],
  ["f32", Float32Array, "float", -Infinity, Infinity],
  ["f64", Float64Array, "float", -Infinity, Infinity],
  ["bigint64", BigInt64Array, "bigint", -(2n ** 63n), 2n ** 63n - 1n],
  ["biguint64", BigUint64Array, "bigint", 0n, 2n ** 64n - 1n],
].map(([name, array, family, min, max], index) => ({
  name,
  code: index + 1,
  array,
  bytes: (array as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT,
  family,
  min,
  max,
} as TypeInfo));

const BY_NAME = new Map(TYPES.map((info) => [info.name as string, info]));
const NAMES = TYPES.map((info) => JSON.stringify(info.name)).join(", ");

function typeOf(where: string, type: unknown): TypeInfo {
  if (typeof type !== "string") {
    throw new TypeError(
      `${where}: 'type' must be a string, received ${quote(type)}`,
    );
  }
  const info = BY_NAME.get(type);
  if (info === undefined) {
    throw new RangeError(
      `${where}: 'type' must be one of ${NAMES}, received ${quote(type)}`,
    );
  }
  return info;
}

/** Checks that `value` is an element of the type; `what` names it. */
function checkElement(
  where: string,
  what: string,
  info: TypeInfo,
  value: unknown,
): number | bigint {
  const isBigInt = info.family === "bigint";
  if (isBigInt ? typeof value !== "bigint" : typeof value !== "number") {
    const expected = isBigInt ? "bigint" : "number";
    throw new TypeError(
      `${where}: ${what} must be a ${expected} for type "${info.name}", received ${
        quote(value)
      }`,
    );
  }
  if (
    info.family === "integer"
      ? !Number.isInteger(value) || (value as number) < (info.min as number) ||
        (value as number) > (info.max as number)
      : info.family === "bigint" &&
        ((value as bigint) < (info.min as bigint) ||
          (value as bigint) > (info.max as bigint))
  ) {
    const [min, max] = [quote(info.min), quote(info.max)];
    throw new RangeError(
      `${where}: ${what} must be an integer from ${min} to ${max} for type "${info.name}", received ${
        quote(value)
      }`,
    );
  }
  return value as number | bigint;
}

/** Checks the amount of an `add` or `sub`, which wraps around. */
function checkDelta(
  where: string,
  info: TypeInfo,
  n: unknown,
): number | bigint {
  if (info.family === "bigint") return checkElement(where, "'n'", info, n);
  if (typeof n !== "number") {
    throw new TypeError(
      `${where}: 'n' must be a number for type "${info.name}", received ${
        quote(n)
      }`,
    );
  }
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(
      `${where}: 'n' must be a safe integer, received ${quote(n)}`,
    );
  }
  return n;
}

// Converts between a float and the integer that holds its bits. Only the
// pairing matters (set one way, get the other), not the byte order.
const scratch = new DataView(new ArrayBuffer(8));

/**
 * Atomic access to `length` elements of a type. Every read and write is one
 * `Atomics` operation, so that it never tears: a float goes through an
 * integer view of its bits (`Atomics` does not work on float arrays, and a
 * plain float access may tear by the specification).
 */
class Cells {
  readonly info: TypeInfo;
  readonly view: AnyArray;
  readonly #bits: Int32Array | BigInt64Array | undefined;

  constructor(
    info: TypeInfo,
    buffer: SharedArrayBuffer,
    byteOffset: number,
    length: number,
  ) {
    this.info = info;
    this.view = new info.array(buffer, byteOffset, length);
    if (info.name === "f32") {
      this.#bits = new Int32Array(buffer, byteOffset, length);
    } else if (info.name === "f64") {
      this.#bits = new BigInt64Array(buffer, byteOffset, length);
    }
  }

  load(index: number): number | bigint {
    const bits = this.#bits;
    if (bits === undefined) return Atomics.load(this.view as Int32Array, index);
    if (bits instanceof Int32Array) {
      scratch.setInt32(0, Atomics.load(bits, index));
      return scratch.getFloat32(0);
    }
    scratch.setBigInt64(0, Atomics.load(bits, index));
    return scratch.getFloat64(0);
  }

  store(index: number, value: number | bigint): void {
    const bits = this.#bits;
    if (bits === undefined) {
      Atomics.store(this.view as Int32Array, index, value as number);
    } else if (bits instanceof Int32Array) {
      scratch.setFloat32(0, value as number);
      Atomics.store(bits, index, scratch.getInt32(0));
    } else {
      scratch.setFloat64(0, value as number);
      Atomics.store(bits, index, scratch.getBigInt64(0));
    }
  }

  // The integer operations; the caller has checked the family. Casting every
  // integer view to Int32Array (or BigInt64Array) only satisfies the
  // overloads: Atomics acts on the view's real type.
  add(index: number, n: number | bigint): number | bigint {
    return Atomics.add(this.view as Int32Array, index, n as number);
  }

  sub(index: number, n: number | bigint): number | bigint {
    return Atomics.sub(this.view as Int32Array, index, n as number);
  }

  exchange(index: number, value: number | bigint): number | bigint {
    return Atomics.exchange(this.view as Int32Array, index, value as number);
  }

  compareExchange(
    index: number,
    expected: number | bigint,
    value: number | bigint,
  ): number | bigint {
    return Atomics.compareExchange(
      this.view as Int32Array,
      index,
      expected as number,
      value as number,
    );
  }
}

// ---------------------------------------------------------------------------
// Locks

type LockChoice = boolean | Lock | RLock;

function checkOptions(where: string, options: unknown): LockChoice {
  if (options === undefined) return true;
  checkObject(where, "options", options);
  const { lock = true } = options as SharedOptions;
  if (
    typeof lock !== "boolean" && !(lock instanceof Lock) &&
    !(lock instanceof RLock)
  ) {
    throw new TypeError(
      `${where}: 'lock' must be a boolean, a Lock or an RLock, received ${
        quote(lock)
      }`,
    );
  }
  return lock;
}

function makeLock(choice: LockChoice): Lock | RLock | undefined {
  if (choice === false) return undefined;
  return choice === true ? new RLock() : choice;
}

/** The words of a lock, as the part a Value or SharedArray is built on. */
function lockParts(lock: Lock | RLock | undefined): Int32Array[] {
  return lock === undefined ? [] : [mutexOf.get(lock)!.words];
}

/** The lock's handle, as a part of a Value's or SharedArray's handle. */
function lockHandles(lock: Lock | RLock | undefined): Handle[] {
  return lock === undefined ? [] : [handleOf(lock)!];
}

/** Where a SharedArray's data buffer keeps its tag: after the elements. */
function tagIndex(elementBytes: number): number {
  return Math.ceil(elementBytes / 8) * 2;
}

/** The tag of a data buffer of `elementBytes` bytes of elements, or 0. */
function tagOf(data: unknown, elementBytes: number): number {
  if (
    !(data instanceof SharedArrayBuffer) ||
    data.byteLength !== 4 * tagIndex(elementBytes) + 8
  ) {
    return 0;
  }
  return Atomics.load(new Int32Array(data), tagIndex(elementBytes));
}

/** The lock of a handle's `parts`, checked; `undefined` when there is none. */
function lockOf(
  where: string,
  kind: string,
  handle: Handle,
  flagged: boolean,
): Lock | RLock | undefined {
  const part = handle.parts[0];
  if (flagged !== (part !== undefined)) {
    throw new TypeError(
      `${where}: its 'parts' do not match the memory of ${withArticle(kind)}`,
    );
  }
  if (part === undefined) return undefined;
  if (!isHandle(part) || (part.kind !== "Lock" && part.kind !== "RLock")) {
    throw new TypeError(
      `${where}: its lock must be the handle of a Lock or an RLock, received ${
        isHandle(part) ? `a handle of kind ${quote(part.kind)}` : quote(part)
      }`,
    );
  }
  return revive(part) as Lock | RLock;
}

/** How many parts a handle claims, for `Layout.open` to check. */
function partsOf(handle: unknown): number {
  const parts = (handle as Partial<Handle> | null)?.parts;
  return Array.isArray(parts) ? Math.min(parts.length, 1) : 0;
}

function checkFunction(where: string, fn: unknown): void {
  if (typeof fn !== "function") {
    throw new TypeError(
      `${where}: 'fn' must be a function, received ${quote(fn)}`,
    );
  }
}

function requireLock(
  where: string,
  kind: string,
  lock: Lock | RLock | undefined,
): Lock | RLock {
  if (lock === undefined) {
    throw new TypeError(
      `${where}: this ${kind} has no lock (it was created with { lock: false })`,
    );
  }
  return lock;
}

/** Reads, calls `fn`, checks its result and writes it; the lock is held. */
function modify(
  where: string,
  cells: Cells,
  index: number,
  fn: (value: never) => unknown,
): number | bigint {
  const next = checkElement(
    where,
    "the result of 'fn'",
    cells.info,
    fn(cells.load(index) as never),
  );
  cells.store(index, next);
  return next;
}

// ---------------------------------------------------------------------------
// Value

// Words: [magic, type code, has a lock (0 or 1), unused, the value (8 bytes,
// 8-aligned since the heap aligns every block to 8 bytes)].
const TYPE = 1;
const FLAGS = 2;
const VALUE_BYTE = 16;
const VALUE_WORDS = 6;
const valueLayout = new Layout("Value", 0x56414c55, VALUE_WORDS);

const rebuildValue = new Rebuild<
  { words: Int32Array; info: TypeInfo; lock: Lock | RLock | undefined }
>();

/**
 * One number in shared memory, seen by the main thread and any number of
 * Workers: Python's `multiprocessing.Value`. Its type is one of
 * {@linkcode ValueType} (`"i32"`, `"f64"`, `"bigint64"`…); 64-bit integers
 * are `bigint`s, the rest `number`s.
 *
 * What is atomic, and what is not:
 *
 * - `value`, `get()` and `set()`, on every type: one atomic read or write
 *   each (`Atomics.load` / `Atomics.store`; for `f32` and `f64`, on an
 *   integer view of the bits), so a reader never sees half of a write. They
 *   do not take the lock.
 * - `add`, `sub`, `exchange` and `compareExchange`, on the integer types: one
 *   `Atomics` operation each, so they are exact across threads with no lock
 *   at all (`{ lock: false }` is fine). They wrap around on overflow, as C
 *   integers do, and they ignore the lock: holding it does not stop them.
 * - `update(fn)` / `updateSync(fn)`, on every type: hold the lock around the
 *   read, the call and the write.
 * - **Not atomic:** `v.value += x`, on any type: it is a read, then a write,
 *   and another thread's write in between is lost. On an integer type use
 *   `add`; a float has no atomic add, so hold the lock: `update`, or
 *   `using _ = v.getLock().holdSync()` around the `+=` (Python's
 *   `with v.get_lock(): v.value += x`).
 *
 * Pass it to a Worker as `value.handle` and rebuild it there with
 * {@linkcode Value.from}; the handle carries the lock. Times are in
 * milliseconds.
 *
 * @typeParam T The element type.
 *
 * @example `add` on an integer is atomic; `+=` on a float needs the lock
 * ```ts
 * import { Value } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * // Two views of the same memory, as two Workers would hold them.
 * const hits = new Value("i32", 0, { lock: false });
 * const hitsInWorker = Value.from(hits.handle);
 * hits.add(1); // one Atomics.add: exact, with no lock
 * hitsInWorker.add(1);
 * strictEqual(hits.value, 2);
 *
 * const total = new Value("f64", 0);
 * const totalInWorker = Value.from<"f64">(total.handle);
 * // `+=` reads, then writes. Two threads that interleave lose an update:
 * const seen = total.value;
 * const seenInWorker = totalInWorker.value;
 * total.value = seen + 0.5;
 * totalInWorker.value = seenInWorker + 0.5;
 * strictEqual(total.value, 0.5); // not 1
 *
 * // Under the lock, the read-modify-write is exact.
 * total.updateSync((x) => x + 0.5);
 * {
 *   using _ = totalInWorker.getLock().holdSync();
 *   totalInWorker.value += 0.5;
 * }
 * strictEqual(total.value, 1.5);
 * ```
 */
export class Value<T extends ValueType = ValueType> {
  #words: Int32Array;
  #cells: Cells;
  #lock: Lock | RLock | undefined;

  static {
    registerKind(
      "Value",
      Value.from,
      Value,
      (value: Value) =>
        valueLayout.handle(value.#words, lockHandles(value.#lock)),
    );
  }

  /**
   * Creates a value in shared memory.
   *
   * @param type The element type, such as `"i32"`, `"f64"` or `"bigint64"`.
   * @param initial The first value (default `0`, or `0n` for the 64-bit
   * integers).
   * @param options `lock`: `true` (default) for a new RLock, a Lock or RLock
   * to use, or `false` for none.
   * @throws {TypeError} If `type` is not a string, `initial` is not a number
   * (a `bigint` for the 64-bit integers), or an option has the wrong type.
   * @throws {RangeError} If `type` is not a known type, or `initial` is not
   * an integer in the range of an integer type.
   *
   * @example A counter, a float and a 64-bit integer
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Value("i32").value, 0);
   * strictEqual(new Value("f64", 0.25).value, 0.25);
   * strictEqual(new Value("bigint64", -(2n ** 63n)).value, -(2n ** 63n));
   * ```
   */
  constructor(type: T, initial?: ElementOf<T>, options?: SharedOptions) {
    // Take what from() opened first, so that a bad argument cannot leave it
    // for the next constructor call.
    const opened = rebuildValue.take();
    let info: TypeInfo;
    if (opened) {
      ({ words: this.#words, info, lock: this.#lock } = opened);
    } else {
      const where = "Cannot create Value";
      info = typeOf(where, type);
      const first = initial === undefined
        ? (info.family === "bigint" ? 0n : 0)
        : checkElement(where, "'initial'", info, initial);
      const choice = checkOptions(where, options);
      this.#lock = makeLock(choice);
      this.#words = valueLayout.allocate(VALUE_WORDS, lockParts(this.#lock));
      track(this, this.#words, false, "Value");
      Atomics.store(this.#words, TYPE, info.code);
      Atomics.store(this.#words, FLAGS, this.#lock === undefined ? 0 : 1);
      this.#cells = this.#open(info);
      this.#cells.store(0, first);
      return;
    }
    track(this, this.#words, true, "Value");
    this.#cells = this.#open(info);
  }

  #open(info: TypeInfo): Cells {
    const words = this.#words;
    return new Cells(
      info,
      words.buffer as SharedArrayBuffer,
      words.byteOffset + VALUE_BYTE,
      1,
    );
  }

  /**
   * Rebuilds a value from its {@linkcode Value.handle}, in any thread, with
   * its lock.
   *
   * @typeParam T The element type you expect; not checked (compare
   * {@linkcode Value.type}).
   * @param handle A handle made by `value.handle`.
   * @returns A Value that shares the original's memory and lock.
   * @throws {TypeError} If `handle` is not the handle of a Value.
   *
   * @example A copy sees the original's writes
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const value = new Value("u8", 7);
   * const copy = Value.from<"u8">(structuredClone(value.handle));
   * value.value = 9;
   * strictEqual(copy.value, 9);
   * strictEqual(copy.getLock(), copy.getLock());
   * ```
   */
  static from<T extends ValueType = ValueType>(handle: Handle): Value<T> {
    const where = "Cannot create Value from handle";
    const words = valueLayout.open(handle, partsOf(handle));
    const info = TYPES[Atomics.load(words, TYPE) - 1];
    const flags = Atomics.load(words, FLAGS);
    if (
      info === undefined || words.byteOffset % 8 !== 0 ||
      (flags !== 0 && flags !== 1)
    ) {
      throw new TypeError(
        `${where}: its buffer at offset ${
          quote(handle.byteOffset)
        } is not the memory of a Value`,
      );
    }
    const lock = lockOf(where, "Value", handle, flags === 1);
    valueLayout.checkParts(words, handle);
    return rebuildValue.with(
      { words, info, lock },
      () => new Value(info.name as T),
    );
  }

  /**
   * A structured-cloneable handle to send to a Worker (with `postMessage`),
   * where {@linkcode Value.from} turns it back into the same value. It
   * carries the lock's handle in `parts`.
   *
   * @example Read the handle's kind
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Value("i32").handle.kind, "Value");
   * ```
   */
  get handle(): Handle {
    return pinned(valueLayout.handle(this.#words, lockHandles(this.#lock)));
  }

  /**
   * The element type, such as `"i32"`.
   *
   * @example Read it back
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Value("f64").type, "f64");
   * ```
   */
  get type(): T {
    return this.#cells.info.name as T;
  }

  /**
   * The current value: Python's `.value`. Reading and writing are each
   * atomic, without the lock; `+=` (a read, then a write) is not.
   *
   * @throws {TypeError} On a write of the wrong type (a `bigint` for a
   * number type, or the reverse).
   * @throws {RangeError} On a write of a non-integer, or of an integer out of
   * range, to an integer type.
   *
   * @example Read and write
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const value = new Value("i16");
   * value.value = -300;
   * strictEqual(value.value, -300);
   * ```
   */
  declare value: ElementOf<T>;

  // `value` is an accessor, declared above as a property: as a get/set
  // pair, `deno doc` would not show it at all.
  static {
    Object.defineProperty(Value.prototype, "value", {
      get(this: Value): number | bigint {
        return this.#cells.load(0);
      },
      set(this: Value, value: number | bigint) {
        this.set(value);
      },
      configurable: true,
    });
  }

  /**
   * Reads the value atomically; the same as {@linkcode Value.value}.
   *
   * @returns The current value.
   *
   * @example Read the first value
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * strictEqual(new Value("biguint64", 5n).get(), 5n);
   * ```
   */
  get(): ElementOf<T> {
    return this.#cells.load(0) as ElementOf<T>;
  }

  /**
   * Writes the value atomically, without the lock.
   *
   * @param value The new value, of the element type.
   * @throws {TypeError} If `value` has the wrong type (a `bigint` for a
   * number type, or the reverse).
   * @throws {RangeError} If `value` is not an integer, or out of range, for
   * an integer type.
   *
   * @example An f32 keeps a float32's precision
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const value = new Value("f32");
   * value.set(0.1);
   * strictEqual(value.get(), Math.fround(0.1));
   * ```
   */
  set(value: ElementOf<T>): void {
    this.#cells.store(
      0,
      checkElement("Cannot set Value", "'value'", this.#cells.info, value),
    );
  }

  #integer(what: string): Cells {
    const cells = this.#cells;
    if (cells.info.family === "float") {
      throw new TypeError(
        `Cannot ${what} Value: "${cells.info.name}" is a float type, which has no atomic ${what}; use update() or updateSync(), which hold the lock`,
      );
    }
    return cells;
  }

  /**
   * Adds `n` atomically (`Atomics.add`) and returns the value before.
   * Integer types only; the result wraps around on overflow. It does not
   * take the lock, and needs none to be exact.
   *
   * @param n The amount to add: an integer (a `bigint` for the 64-bit
   * types).
   * @returns The value before the addition.
   * @throws {TypeError} On a float type, or if `n` has the wrong type.
   * @throws {RangeError} If `n` is not a safe integer (or, for the 64-bit
   * types, not in their range).
   *
   * @example Count, and wrap around
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const count = new Value("i8", 126);
   * strictEqual(count.add(1), 126);
   * count.add(1);
   * strictEqual(count.value, -128);
   * ```
   */
  add(n: ElementOf<T>): ElementOf<T> {
    const cells = this.#integer("add");
    return cells.add(
      0,
      checkDelta("Cannot add to Value", cells.info, n),
    ) as ElementOf<T>;
  }

  /**
   * Subtracts `n` atomically (`Atomics.sub`) and returns the value before.
   * Integer types only; the result wraps around on overflow.
   *
   * @param n The amount to subtract: an integer (a `bigint` for the 64-bit
   * types).
   * @returns The value before the subtraction.
   * @throws {TypeError} On a float type, or if `n` has the wrong type.
   * @throws {RangeError} If `n` is not a safe integer (or, for the 64-bit
   * types, not in their range).
   *
   * @example Count down
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const left = new Value("bigint64", 10n);
   * strictEqual(left.sub(3n), 10n);
   * strictEqual(left.value, 7n);
   * ```
   */
  sub(n: ElementOf<T>): ElementOf<T> {
    const cells = this.#integer("subtract");
    return cells.sub(
      0,
      checkDelta("Cannot subtract from Value", cells.info, n),
    ) as ElementOf<T>;
  }

  /**
   * Writes `value` and returns the value before, in one atomic step
   * (`Atomics.exchange`). Integer types only.
   *
   * @param value The new value.
   * @returns The value before.
   * @throws {TypeError} On a float type, or if `value` has the wrong type.
   * @throws {RangeError} If `value` is out of the type's range.
   *
   * @example Take the value and reset it
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const pending = new Value("u32", 5);
   * strictEqual(pending.exchange(0), 5);
   * strictEqual(pending.value, 0);
   * ```
   */
  exchange(value: ElementOf<T>): ElementOf<T> {
    const cells = this.#integer("exchange");
    return cells.exchange(
      0,
      checkElement("Cannot exchange Value", "'value'", cells.info, value),
    ) as ElementOf<T>;
  }

  /**
   * Writes `value` if the value is `expected`, in one atomic step
   * (`Atomics.compareExchange`). Integer types only.
   *
   * @param expected The value to find.
   * @param value The value to write if it is found.
   * @returns The value before: equal to `expected` if the write happened.
   * @throws {TypeError} On a float type, or if an argument has the wrong
   * type.
   * @throws {RangeError} If an argument is out of the type's range.
   *
   * @example Claim a slot once
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const owner = new Value("i32", 0);
   * strictEqual(owner.compareExchange(0, 7), 0); // claimed
   * strictEqual(owner.compareExchange(0, 8), 7); // already taken
   * strictEqual(owner.value, 7);
   * ```
   */
  compareExchange(expected: ElementOf<T>, value: ElementOf<T>): ElementOf<T> {
    const cells = this.#integer("exchange");
    const where = "Cannot exchange Value";
    return cells.compareExchange(
      0,
      checkElement(where, "'expected'", cells.info, expected),
      checkElement(where, "'value'", cells.info, value),
    ) as ElementOf<T>;
  }

  /**
   * Replaces the value by `fn(value)` while holding the lock, waiting for it
   * without blocking the event loop. Works on every type; this is how to add
   * to a float. Only code that holds the lock is kept out: `set` and `add`
   * do not take it.
   *
   * @param fn Computes the new value from the current one; it must not wait.
   * If it throws, the value is unchanged.
   * @param options `timeout` in milliseconds to wait for the lock, and an
   * `AbortSignal`.
   * @returns The new value.
   * @throws {TypeError} If the value has no lock, `fn` is not a function, or
   * it returns a value of the wrong type.
   * @throws {RangeError} If `fn` returns a value out of an integer type's
   * range.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   *
   * @example Add to a float
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const total = new Value("f64", 1.5);
   * strictEqual(await total.update((x) => x * 2), 3);
   * ```
   */
  async update(
    fn: (value: ElementOf<T>) => ElementOf<T>,
    options?: WaitOptions,
  ): Promise<ElementOf<T>> {
    const where = "Cannot update Value";
    checkFunction(where, fn);
    const lock = requireLock(where, "Value", this.#lock);
    if (!await lock.acquire(options)) {
      throw timeoutError("the lock of Value", options);
    }
    try {
      return modify(where, this.#cells, 0, fn) as ElementOf<T>;
    } finally {
      lock.release();
    }
  }

  /**
   * Replaces the value by `fn(value)` while holding the lock, blocking the
   * thread while it waits for it; see {@linkcode Value.update}.
   *
   * @param fn Computes the new value from the current one. If it throws, the
   * value is unchanged.
   * @param options `timeout` in milliseconds to wait for the lock, and an
   * `AbortSignal` checked before the thread blocks.
   * @returns The new value.
   * @throws {TypeError} If the value has no lock, `fn` is not a function, or
   * it returns a value of the wrong type.
   * @throws {RangeError} If `fn` returns a value out of an integer type's
   * range.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   *
   * @example Scale a float
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const total = new Value("f32", 3);
   * strictEqual(total.updateSync((x) => x / 2), 1.5);
   * ```
   */
  updateSync(
    fn: (value: ElementOf<T>) => ElementOf<T>,
    options?: WaitOptions,
  ): ElementOf<T> {
    const where = "Cannot update Value";
    checkFunction(where, fn);
    const lock = requireLock(where, "Value", this.#lock);
    if (!lock.acquireSync(options)) {
      throw timeoutError("the lock of Value", options);
    }
    try {
      return modify(where, this.#cells, 0, fn) as ElementOf<T>;
    } finally {
      lock.release();
    }
  }

  /**
   * Returns the lock that guards the value: Python's `get_lock()`. Hold it
   * to make a read-modify-write such as `+=` exact.
   *
   * @returns The RLock made for the value, or the Lock or RLock given as the
   * `lock` option.
   * @throws {TypeError} If the value was created with `{ lock: false }`.
   *
   * @example `+=` under the lock
   * ```ts
   * import { Value } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const total = new Value("f64");
   * {
   *   using _ = total.getLock().holdSync();
   *   total.value += 0.5;
   * }
   * strictEqual(total.value, 0.5);
   * ```
   */
  getLock(): Lock | RLock {
    return requireLock("Cannot get the lock of Value", "Value", this.#lock);
  }
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
  data: SharedArrayBuffer;
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
  #data: SharedArrayBuffer;
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
        data: array.#data,
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
    this.#data = new SharedArrayBuffer(4 * tagIndex(bytes) + 8);
    const tag = newTag();
    Atomics.store(new Int32Array(this.#data), tagIndex(bytes), tag);
    this.#length = length;
    this.#cells = new Cells(info, this.#data, 0, length);
    // Plain writes: no other thread can see the buffer before a handle
    // travels, which orders them.
    if (values) (this.#cells.view as Int32Array).set(values as number[]);
    this.#lock = makeLock(choice);
    this.#words = arrayLayout.allocate(4, lockParts(this.#lock), [tag]);
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
    const { data } = handle as Partial<SharedArrayHandle>;
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
      !(data instanceof SharedArrayBuffer) ||
      data.byteLength !== 4 * tagIndex(bytes) + 8
    ) {
      throw new TypeError(
        `${where}: 'data' must be a SharedArrayBuffer of ${
          4 * tagIndex(bytes) + 8
        } bytes (${length} "${info.name}" elements and a tag), received ${
          data instanceof SharedArrayBuffer
            ? `one of ${data.byteLength} bytes`
            : quote(data)
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
   * carries the elements' buffer in `data` and the lock's handle in `parts`.
   *
   * @example The handle carries the elements
   * ```ts
   * import { SharedArray } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const handle = new SharedArray("f64", 3).handle;
   * strictEqual(handle.kind, "SharedArray");
   * strictEqual(handle.data.byteLength, 24 + 8); // 3 elements, and a tag
   * ```
   */
  get handle(): SharedArrayHandle {
    return pinned({
      ...arrayLayout.handle(this.#words, lockHandles(this.#lock)),
      data: this.#data,
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
    checkFunction(where, fn);
    const lock = requireLock(where, "SharedArray", this.#lock);
    if (!await lock.acquire(options)) {
      throw timeoutError("the lock of SharedArray", options);
    }
    try {
      return modify(where, this.#cells, i, fn) as ElementOf<T>;
    } finally {
      lock.release();
    }
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
    checkFunction(where, fn);
    const lock = requireLock(where, "SharedArray", this.#lock);
    if (!lock.acquireSync(options)) {
      throw timeoutError("the lock of SharedArray", options);
    }
    try {
      return modify(where, this.#cells, i, fn) as ElementOf<T>;
    } finally {
      lock.release();
    }
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
