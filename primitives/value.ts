import {
  type Handle,
  Layout,
  pinned,
  Rebuild,
  registerKind,
  track,
} from "./_handle.ts";
import { quote, type WaitOptions } from "../internal/options.ts";
import {
  Cells,
  checkDelta,
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
  type TypeInfo,
  typeOf,
  TYPES,
  updateLocked,
  updateLockedSync,
  type ValueType,
} from "./_elements.ts";
import type { Lock } from "./lock.ts";
import type { RLock } from "./rlock.ts";

export type {
  ElementOf,
  SharedOptions,
  TypedArrays,
  ValueType,
} from "./_elements.ts";

// Words: [magic, type code, has a lock (0 or 1), unused, the value (8 bytes,
// 8-aligned since the heap aligns every block to 8 bytes)].
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
      words.buffer,
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
    return await updateLocked(
      where,
      "Value",
      this.#lock,
      this.#cells,
      0,
      fn,
      options,
    ) as ElementOf<T>;
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
    return updateLockedSync(
      where,
      "Value",
      this.#lock,
      this.#cells,
      0,
      fn,
      options,
    ) as ElementOf<T>;
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
