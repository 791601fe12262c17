// What Value and SharedArray share (Python's multiprocessing.sharedctypes):
// the element types and the atomic cells that hold them, the checks of
// elements, and the optional lock with the update under it that CPython's
// SynchronizedBase gives both (`updateLocked`).

import { type Handle, handleOf, isHandle, revive } from "./_handle.ts";
import { mutexOf } from "./_mutex.ts";
import {
  checkObject,
  quote,
  type WaitOptions,
  withArticle,
} from "../internal/options.ts";
import { timeoutError } from "../internal/timeout_error.ts";
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
  i8: Int8Array<ArrayBufferLike>;
  /** 8-bit unsigned integers. */
  u8: Uint8Array<ArrayBufferLike>;
  /** 16-bit signed integers. */
  i16: Int16Array<ArrayBufferLike>;
  /** 16-bit unsigned integers. */
  u16: Uint16Array<ArrayBufferLike>;
  /** 32-bit signed integers. */
  i32: Int32Array<ArrayBufferLike>;
  /** 32-bit unsigned integers. */
  u32: Uint32Array<ArrayBufferLike>;
  /** 32-bit floats. */
  f32: Float32Array<ArrayBufferLike>;
  /** 64-bit floats (JavaScript's `number`). */
  f64: Float64Array<ArrayBufferLike>;
  /** 64-bit signed integers, as `bigint`. */
  bigint64: BigInt64Array<ArrayBufferLike>;
  /** 64-bit unsigned integers, as `bigint`. */
  biguint64: BigUint64Array<ArrayBufferLike>;
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

// ---------------------------------------------------------------------------
// Element types

type AnyArray = TypedArrays[ValueType];

export interface TypeInfo {
  readonly name: ValueType;
  /** Stored in the words, so that `from()` knows the type; never 0. */
  readonly code: number;
  readonly array: new (
    buffer: ArrayBufferLike,
    byteOffset: number,
    length: number,
  ) => AnyArray;
  readonly bytes: number;
  readonly family: "integer" | "float" | "bigint";
  readonly min: number | bigint;
  readonly max: number | bigint;
}

/** The word of a Value's or SharedArray's layout that holds its type code. */
export const TYPE = 1;

export const TYPES: readonly TypeInfo[] = [
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

export const BY_NAME = new Map(
  TYPES.map((info) => [info.name as string, info]),
);
export const NAMES = TYPES.map((info) => JSON.stringify(info.name)).join(", ");

export function typeOf(where: string, type: unknown): TypeInfo {
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
export function checkElement(
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
export function checkDelta(
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
export class Cells {
  readonly info: TypeInfo;
  readonly view: AnyArray;
  readonly #bits: Int32Array | BigInt64Array | undefined;

  constructor(
    info: TypeInfo,
    buffer: ArrayBufferLike,
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

export type LockChoice = boolean | Lock | RLock;

export function checkOptions(where: string, options: unknown): LockChoice {
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

export function makeLock(choice: LockChoice): Lock | RLock | undefined {
  if (choice === false) return undefined;
  return choice === true ? new RLock() : choice;
}

/** The words of a lock, as the part a Value or SharedArray is built on. */
export function lockParts(lock: Lock | RLock | undefined): Int32Array[] {
  return lock === undefined ? [] : [mutexOf.get(lock)!.words];
}

/** The lock's handle, as a part of a Value's or SharedArray's handle. */
export function lockHandles(lock: Lock | RLock | undefined): Handle[] {
  return lock === undefined ? [] : [handleOf(lock)!];
}

/** The lock of a handle's `parts`, checked; `undefined` when there is none. */
export function lockOf(
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
export function partsOf(handle: unknown): number {
  const parts = (handle as Partial<Handle> | null)?.parts;
  return Array.isArray(parts) ? Math.min(parts.length, 1) : 0;
}

export function checkFunction(where: string, fn: unknown): void {
  if (typeof fn !== "function") {
    throw new TypeError(
      `${where}: 'fn' must be a function, received ${quote(fn)}`,
    );
  }
}

export function requireLock(
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
export function modify(
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

/**
 * Runs `fn` on element `index` under the lock (a Value's or SharedArray's
 * `update`, the async face): CPython's SynchronizedBase, once for both.
 */
export async function updateLocked(
  where: string,
  kind: string,
  lock: Lock | RLock | undefined,
  cells: Cells,
  index: number,
  fn: unknown,
  options: WaitOptions | undefined,
): Promise<number | bigint> {
  checkFunction(where, fn);
  const held = requireLock(where, kind, lock);
  if (!await held.acquire(options)) {
    throw timeoutError(`the lock of ${kind}`, options);
  }
  try {
    return modify(where, cells, index, fn as (value: never) => unknown);
  } finally {
    held.release();
  }
}

/** The `updateSync` face of {@linkcode updateLocked}. */
export function updateLockedSync(
  where: string,
  kind: string,
  lock: Lock | RLock | undefined,
  cells: Cells,
  index: number,
  fn: unknown,
  options: WaitOptions | undefined,
): number | bigint {
  checkFunction(where, fn);
  const held = requireLock(where, kind, lock);
  if (!held.acquireSync(options)) {
    throw timeoutError(`the lock of ${kind}`, options);
  }
  try {
    return modify(where, cells, index, fn as (value: never) => unknown);
  } finally {
    held.release();
  }
}
