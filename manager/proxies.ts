// The proxies of a Manager's objects: each method is a call to the server,
// async, with a twin that blocks its thread (`getSync`, on a socket of its
// own through FFI, as a Python proxy blocks), and every value is a copy. A
// proxy passed to a Process, a ProcessPool task, a Thread or a ThreadPool
// task arrives connected: its address and key travel with it, as Python's
// do.

import {
  clientFor,
  type ManagerClient,
  type ProxyCallOptions,
} from "./_client.ts";
import { type Address, addressName, sameAddress } from "./_address.ts";
import type { ProxyKind } from "./_served.ts";
import { parseWait, quote, type WaitOptions } from "../internal/options.ts";
import { PROXY } from "../pools/_wire.ts";
import { type SyncClient, syncClientFor } from "./_sync_client.ts";

/** Where a proxy's object lives: what travels when the proxy does. */
export interface ProxyRef {
  readonly address: Address;
  readonly authkey: Uint8Array;
  readonly maxFrameBytes: number;
  readonly id: number;
  readonly kind: ProxyKind;
}

/**
 * What every proxy of a Manager's object shares: its reference, and calls
 * through this thread's connection to the Manager.
 */
export abstract class BaseProxy {
  readonly #ref: ProxyRef;
  #client: ManagerClient | undefined;
  #syncClient: SyncClient | undefined;

  /** @internal Made by a Manager, or by a worker from a message. */
  constructor(ref: ProxyRef) {
    this.#ref = ref;
  }

  /** Which kind of object the proxy stands for. */
  get kind(): ProxyKind {
    return this.#ref.kind;
  }

  /** @internal What travels to a worker or a process. */
  toMessage(): { [PROXY]: ProxyRef } {
    return { [PROXY]: this.#ref };
  }

  /**
   * Calls a method of the object. Proxies of the same Manager inside the
   * arguments go as references, and those inside the result come back
   * connected, as Python's nested proxies do.
   */
  protected async call(
    method: string,
    args: readonly unknown[] = [],
    options?: ProxyCallOptions,
  ): Promise<unknown> {
    const ref = this.#ref;
    // This thread's connection, looked up once while it lasts.
    if (this.#client === undefined || this.#client.lost) {
      this.#client = await clientFor(
        ref.address,
        ref.authkey,
        ref.maxFrameBytes,
      );
    }
    // Most arguments are keys and numbers: nothing to look into.
    const sent = args.some((arg) => typeof arg === "object" && arg !== null)
      ? nestProxies(args, ref, `${ref.kind}.${method}()`)
      : args;
    return reviveNested(
      await this.#client.call(ref.id, method, sent as unknown[], options),
      ref,
    );
  }

  /**
   * `call`, blocking this thread until the Manager answers, on a
   * connection of its own (a socket through FFI, `_sync_client.ts`).
   */
  protected callSync(method: string, args: readonly unknown[] = []): unknown {
    return this.#callSync(method, args, undefined);
  }

  /** `callWaiting`, blocking this thread until the Manager answers. */
  protected callWaitingSync(
    method: string,
    args: readonly unknown[],
    options: WaitOptions | undefined,
  ): unknown {
    const where = `${this.#ref.kind}.${method}Sync()`;
    parseWait(where, options);
    // A Sync call cannot be stopped once it waits: a signal already
    // aborted stops it before it is sent, as the primitives' Sync faces do.
    options?.signal?.throwIfAborted();
    const timeout = options?.timeout;
    return this.#callSync(
      method,
      args,
      timeout === undefined || timeout === Infinity ? undefined : timeout,
    );
  }

  #callSync(
    method: string,
    args: readonly unknown[],
    timeout: number | undefined,
  ): unknown {
    const ref = this.#ref;
    // This thread's blocking connection, looked up once while it lasts.
    if (this.#syncClient === undefined || this.#syncClient.lost) {
      this.#syncClient = syncClientFor(
        `${ref.kind}.${method}Sync()`,
        ref.address,
        ref.authkey,
        ref.maxFrameBytes,
      );
    }
    const sent = args.some((arg) => typeof arg === "object" && arg !== null)
      ? nestProxies(args, ref, `${ref.kind}.${method}Sync()`)
      : args;
    const value = this.#syncClient.call(
      ref.id,
      method,
      sent as unknown[],
      timeout,
    );
    return typeof value === "object" && value !== null
      ? reviveNested(value, ref)
      : value;
  }

  /** Calls a method that waits, with `{ timeout, signal }`. */
  protected async callWaiting(
    method: string,
    args: readonly unknown[],
    options: WaitOptions | undefined,
  ): Promise<unknown> {
    const where = `${this.#ref.kind}.${method}()`;
    parseWait(where, options);
    const timeout = options?.timeout;
    return await this.call(method, args, {
      timeout: timeout === undefined || timeout === Infinity
        ? undefined
        : timeout,
      signal: options?.signal,
    });
  }
}

/**
 * A Manager's `dict`: a Map-like and Python-like dictionary that every
 * process and machine connected to the Manager sees. Values are copies:
 * change a nested object, then set it again (`d.set(k, v)`). As on every
 * proxy, each method has a twin that blocks the thread until the Manager
 * answers (`getSync`, `setSync`, ...), which needs `--allow-ffi`.
 *
 * @example Set and get
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const d = await manager.dict<string, number>();
 * await d.set("x", 10);
 * strictEqual(await d.get("x"), 10);
 * ```
 */
export class DictProxy<K = unknown, V = unknown> extends BaseProxy {
  /** The value of `key`, or `fallback` if it has none. */
  get(key: K, fallback?: V): Promise<V | undefined> {
    return this.call("get", [key, fallback]) as Promise<V | undefined>;
  }
  /** Sets `key` to a copy of `value`. */
  async set(key: K, value: V): Promise<void> {
    await this.call("set", [key, value]);
  }
  /** Whether `key` has a value. */
  has(key: K): Promise<boolean> {
    return this.call("has", [key]) as Promise<boolean>;
  }
  /** Removes `key`; whether it had a value. */
  delete(key: K): Promise<boolean> {
    return this.call("delete", [key]) as Promise<boolean>;
  }
  /** The keys, in insertion order. */
  keys(): Promise<K[]> {
    return this.call("keys") as Promise<K[]>;
  }
  /** The values, in insertion order. */
  values(): Promise<V[]> {
    return this.call("values") as Promise<V[]>;
  }
  /** The entries, in insertion order. */
  entries(): Promise<[K, V][]> {
    return this.call("entries") as Promise<[K, V][]>;
  }
  /** How many keys it holds (Python's `len(d)`). */
  size(): Promise<number> {
    return this.call("size") as Promise<number>;
  }
  /** Removes every key. */
  async clear(): Promise<void> {
    await this.call("clear");
  }
  /** Sets every entry of a Map, an iterable of pairs or a plain object. */
  async update(
    entries: Iterable<readonly [K, V]> | Record<string, V>,
  ): Promise<void> {
    const pairs = Symbol.iterator in Object(entries)
      ? [...entries as Iterable<readonly [K, V]>]
      : Object.entries(entries);
    await this.call("update", [pairs]);
  }
  /** Python's `setdefault`: the value of `key`, set to `value` if none. */
  setDefault(key: K, value: V): Promise<V> {
    return this.call("setDefault", [key, value]) as Promise<V>;
  }
  /**
   * Removes `key` and returns its value, or `fallback` if given.
   *
   * @throws {RangeError} If it has no value and no fallback is given.
   */
  pop(key: K, ...fallback: [] | [V]): Promise<V> {
    return this.call("pop", [key, ...fallback]) as Promise<V>;
  }
  /** Adds `amount` to the number at `key` (0 if none), in one call. */
  add(key: K, amount: number): Promise<number> {
    return this.call("add", [key, amount]) as Promise<number>;
  }
  /** A copy of it all, as a Map. */
  async toMap(): Promise<Map<K, V>> {
    return new Map(await this.entries());
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `get`, blocking this thread until the Manager answers. */
  getSync(key: K, fallback?: V): V | undefined {
    return this.callSync("get", [key, fallback]) as V | undefined;
  }
  /** `set`, blocking this thread until the Manager answers. */
  setSync(key: K, value: V): void {
    this.callSync("set", [key, value]);
  }
  /** `has`, blocking this thread until the Manager answers. */
  hasSync(key: K): boolean {
    return this.callSync("has", [key]) as boolean;
  }
  /** `delete`, blocking this thread until the Manager answers. */
  deleteSync(key: K): boolean {
    return this.callSync("delete", [key]) as boolean;
  }
  /** `keys`, blocking this thread until the Manager answers. */
  keysSync(): K[] {
    return this.callSync("keys") as K[];
  }
  /** `values`, blocking this thread until the Manager answers. */
  valuesSync(): V[] {
    return this.callSync("values") as V[];
  }
  /** `entries`, blocking this thread until the Manager answers. */
  entriesSync(): [K, V][] {
    return this.callSync("entries") as [K, V][];
  }
  /** `size`, blocking this thread until the Manager answers. */
  sizeSync(): number {
    return this.callSync("size") as number;
  }
  /** `clear`, blocking this thread until the Manager answers. */
  clearSync(): void {
    this.callSync("clear");
  }
  /** `update`, blocking this thread until the Manager answers. */
  updateSync(
    entries: Iterable<readonly [K, V]> | Record<string, V>,
  ): void {
    const pairs = Symbol.iterator in Object(entries)
      ? [...entries as Iterable<readonly [K, V]>]
      : Object.entries(entries);
    this.callSync("update", [pairs]);
  }
  /** `setDefault`, blocking this thread until the Manager answers. */
  setDefaultSync(key: K, value: V): V {
    return this.callSync("setDefault", [key, value]) as V;
  }
  /** `pop`, blocking this thread until the Manager answers. */
  popSync(key: K, ...fallback: [] | [V]): V {
    return this.callSync("pop", [key, ...fallback]) as V;
  }
  /** `add`, blocking this thread until the Manager answers. */
  addSync(key: K, amount: number): number {
    return this.callSync("add", [key, amount]) as number;
  }
  /** `toMap`, blocking this thread until the Manager answers. */
  toMapSync(): Map<K, V> {
    return new Map(this.entriesSync());
  }
}

/**
 * A Manager's `list`: an array-like list that every connected process and
 * machine sees. Items are copies.
 *
 * @example Append and reverse
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const l = await manager.list([1, 2, 3]);
 * await l.reverse();
 * deepStrictEqual(await l.toArray(), [3, 2, 1]);
 * ```
 */
export class ListProxy<T = unknown> extends BaseProxy {
  /** The item at `index` (negative counts from the end). */
  at(index: number): Promise<T> {
    return this.call("at", [index]) as Promise<T>;
  }
  /** Sets the item at `index`. */
  async set(index: number, value: T): Promise<void> {
    await this.call("set", [index, value]);
  }
  /** Appends items; returns the new length. */
  push(...items: T[]): Promise<number> {
    return this.call("push", items) as Promise<number>;
  }
  /** Python's `append`: adds one item at the end. */
  async append(item: T): Promise<void> {
    await this.call("push", [item]);
  }
  /** Python's `extend`: adds every item at the end. */
  async extend(items: Iterable<T>): Promise<void> {
    await this.call("push", [...items]);
  }
  /** Inserts an item before `index`. */
  async insert(index: number, item: T): Promise<void> {
    await this.call("insert", [index, item]);
  }
  /**
   * Removes and returns the item at `index` (the last by default).
   *
   * @throws {RangeError} If the list is empty or the index out of range.
   */
  pop(index?: number): Promise<T> {
    return this.call("pop", index === undefined ? [] : [index]) as Promise<T>;
  }
  /** Removes the first item equal to `item` (a RangeError if none). */
  async remove(item: T): Promise<void> {
    await this.call("remove", [item]);
  }
  /** Where the first item equal to `item` is, or -1. */
  indexOf(item: T): Promise<number> {
    return this.call("indexOf", [item]) as Promise<number>;
  }
  /** How many items equal `item`. */
  count(item: T): Promise<number> {
    return this.call("count", [item]) as Promise<number>;
  }
  /** Reverses the list in place. */
  async reverse(): Promise<void> {
    await this.call("reverse");
  }
  /** Sorts the list in place: numbers by value, others as strings. */
  async sort(): Promise<void> {
    await this.call("sort");
  }
  /** A copy of the items from `start` to `end`. */
  slice(start?: number, end?: number): Promise<T[]> {
    return this.call("slice", [start, end]) as Promise<T[]>;
  }
  /** How many items it holds. */
  length(): Promise<number> {
    return this.call("length") as Promise<number>;
  }
  /** Removes every item. */
  async clear(): Promise<void> {
    await this.call("clear");
  }
  /** A copy of every item. */
  toArray(): Promise<T[]> {
    return this.slice();
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `at`, blocking this thread until the Manager answers. */
  atSync(index: number): T {
    return this.callSync("at", [index]) as T;
  }
  /** `set`, blocking this thread until the Manager answers. */
  setSync(index: number, value: T): void {
    this.callSync("set", [index, value]);
  }
  /** `push`, blocking this thread until the Manager answers. */
  pushSync(...items: T[]): number {
    return this.callSync("push", items) as number;
  }
  /** `append`, blocking this thread until the Manager answers. */
  appendSync(item: T): void {
    this.callSync("push", [item]);
  }
  /** `extend`, blocking this thread until the Manager answers. */
  extendSync(items: Iterable<T>): void {
    this.callSync("push", [...items]);
  }
  /** `insert`, blocking this thread until the Manager answers. */
  insertSync(index: number, item: T): void {
    this.callSync("insert", [index, item]);
  }
  /** `pop`, blocking this thread until the Manager answers. */
  popSync(index?: number): T {
    return this.callSync("pop", index === undefined ? [] : [index]) as T;
  }
  /** `remove`, blocking this thread until the Manager answers. */
  removeSync(item: T): void {
    this.callSync("remove", [item]);
  }
  /** `indexOf`, blocking this thread until the Manager answers. */
  indexOfSync(item: T): number {
    return this.callSync("indexOf", [item]) as number;
  }
  /** `count`, blocking this thread until the Manager answers. */
  countSync(item: T): number {
    return this.callSync("count", [item]) as number;
  }
  /** `reverse`, blocking this thread until the Manager answers. */
  reverseSync(): void {
    this.callSync("reverse");
  }
  /** `sort`, blocking this thread until the Manager answers. */
  sortSync(): void {
    this.callSync("sort");
  }
  /** `slice`, blocking this thread until the Manager answers. */
  sliceSync(start?: number, end?: number): T[] {
    return this.callSync("slice", [start, end]) as T[];
  }
  /** `length`, blocking this thread until the Manager answers. */
  lengthSync(): number {
    return this.callSync("length") as number;
  }
  /** `clear`, blocking this thread until the Manager answers. */
  clearSync(): void {
    this.callSync("clear");
  }
  /** `toArray`, blocking this thread until the Manager answers. */
  toArraySync(): T[] {
    return this.sliceSync();
  }
}

/**
 * A Manager's `Namespace`: named attributes that every connected process
 * and machine sees (Python's `n.y`, here `n.get("y")` / `n.set("y", v)`).
 *
 * @example Attributes
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const n = await manager.Namespace({ y: 3.14 });
 * await n.set("y", (await n.get("y") as number) + 1);
 * strictEqual(await n.get("y"), 4.140000000000001);
 * ```
 */
export class NamespaceProxy extends BaseProxy {
  /**
   * The attribute `name`.
   *
   * @throws {RangeError} If it has none.
   */
  get(name: string): Promise<unknown> {
    return this.call("get", [name]);
  }
  /** Sets the attribute `name`. */
  async set(name: string, value: unknown): Promise<void> {
    await this.call("set", [name, value]);
  }
  /** Whether it has the attribute `name`. */
  has(name: string): Promise<boolean> {
    return this.call("has", [name]) as Promise<boolean>;
  }
  /** Removes the attribute `name`. */
  delete(name: string): Promise<boolean> {
    return this.call("delete", [name]) as Promise<boolean>;
  }
  /** Adds `amount` to the number `name` (0 if none), in one call. */
  add(name: string, amount: number): Promise<number> {
    return this.call("add", [name, amount]) as Promise<number>;
  }
  /** A copy of every attribute. */
  toObject(): Promise<Record<string, unknown>> {
    return this.call("toObject") as Promise<Record<string, unknown>>;
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `get`, blocking this thread until the Manager answers. */
  getSync(name: string): unknown {
    return this.callSync("get", [name]);
  }
  /** `set`, blocking this thread until the Manager answers. */
  setSync(name: string, value: unknown): void {
    this.callSync("set", [name, value]);
  }
  /** `has`, blocking this thread until the Manager answers. */
  hasSync(name: string): boolean {
    return this.callSync("has", [name]) as boolean;
  }
  /** `delete`, blocking this thread until the Manager answers. */
  deleteSync(name: string): boolean {
    return this.callSync("delete", [name]) as boolean;
  }
  /** `add`, blocking this thread until the Manager answers. */
  addSync(name: string, amount: number): number {
    return this.callSync("add", [name, amount]) as number;
  }
  /** `toObject`, blocking this thread until the Manager answers. */
  toObjectSync(): Record<string, unknown> {
    return this.callSync("toObject") as Record<string, unknown>;
  }
}

/**
 * A Manager's `Value`: one value that every connected process and machine
 * sees. Guard a read-change-write with a Manager Lock, or use `add`.
 *
 * @example Under a Manager Lock
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const [value, lock] = [await manager.Value("i", 0), await manager.Lock()];
 * await lock.acquire();
 * await value.set(await value.get() + 1);
 * await lock.release();
 * strictEqual(await value.get(), 1);
 * ```
 */
export class ValueProxy<T = unknown> extends BaseProxy {
  /** The value. */
  get(): Promise<T> {
    return this.call("get") as Promise<T>;
  }
  /** Sets the value. */
  async set(value: T): Promise<void> {
    await this.call("set", [value]);
  }
  /** Adds `amount` to a number in one call; returns the sum. */
  add(amount: number): Promise<number> {
    return this.call("add", [amount]) as Promise<number>;
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `get`, blocking this thread until the Manager answers. */
  getSync(): T {
    return this.callSync("get") as T;
  }
  /** `set`, blocking this thread until the Manager answers. */
  setSync(value: T): void {
    this.callSync("set", [value]);
  }
  /** `add`, blocking this thread until the Manager answers. */
  addSync(amount: number): number {
    return this.callSync("add", [amount]) as number;
  }
}

/**
 * A Manager's `Array`: a fixed-length array that every connected process and
 * machine sees.
 *
 * @example Get and set
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const a = await manager.Array("i", [1, 2, 3]);
 * await a.set(0, -1);
 * deepStrictEqual(await a.toArray(), [-1, 2, 3]);
 * ```
 */
export class ArrayProxy<T = number> extends BaseProxy {
  /** The item at `index` (negative counts from the end). */
  get(index: number): Promise<T> {
    return this.call("get", [index]) as Promise<T>;
  }
  /** Sets the item at `index`. */
  async set(index: number, value: T): Promise<void> {
    await this.call("set", [index, value]);
  }
  /** How many items it holds. */
  length(): Promise<number> {
    return this.call("length") as Promise<number>;
  }
  /** A copy of every item. */
  toArray(): Promise<T[]> {
    return this.call("toArray") as Promise<T[]>;
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `get`, blocking this thread until the Manager answers. */
  getSync(index: number): T {
    return this.callSync("get", [index]) as T;
  }
  /** `set`, blocking this thread until the Manager answers. */
  setSync(index: number, value: T): void {
    this.callSync("set", [index, value]);
  }
  /** `length`, blocking this thread until the Manager answers. */
  lengthSync(): number {
    return this.callSync("length") as number;
  }
  /** `toArray`, blocking this thread until the Manager answers. */
  toArraySync(): T[] {
    return this.callSync("toArray") as T[];
  }
}

/**
 * A Manager's `Lock` (or `RLock`): held by the connection of the thread that
 * acquired it. A client that goes away holding it gives it back, and the
 * next acquirer gets an `AbandonedLockError`, once.
 *
 * @example Hold it
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const lock = await manager.Lock();
 * {
 *   await using _held = await lock.hold();
 *   strictEqual(await lock.locked(), true);
 * }
 * strictEqual(await lock.locked(), false);
 * ```
 */
export class LockProxy extends BaseProxy {
  /** Acquires it; false if the timeout passed first. */
  acquire(options?: WaitOptions): Promise<boolean> {
    return this.callWaiting("acquire", [], options) as Promise<boolean>;
  }
  /** Acquires it if it is free, without waiting. */
  tryAcquire(): Promise<boolean> {
    return this.call("tryAcquire") as Promise<boolean>;
  }
  /**
   * Releases it.
   *
   * @throws {RangeError} If this thread's connection does not hold it.
   */
  async release(): Promise<void> {
    await this.call("release");
  }
  /** Whether anyone holds it. */
  locked(): Promise<boolean> {
    return this.call("locked") as Promise<boolean>;
  }
  /**
   * Acquires it and returns what releases it at the end of an
   * `await using` block.
   *
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   */
  async hold(options?: WaitOptions): Promise<AsyncDisposable> {
    if (!await this.acquire(options)) {
      throw new DOMException(
        `Cannot hold the Manager's ${this.kind}: the timeout passed`,
        "TimeoutError",
      );
    }
    return { [Symbol.asyncDispose]: () => this.release() };
  }
  /**
   * `hold`, blocking this thread: acquires it and returns what releases it
   * at the end of a `using` block.
   *
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   */
  holdSync(options?: WaitOptions): Disposable {
    if (!this.acquireSync(options)) {
      throw new DOMException(
        `Cannot hold the Manager's ${this.kind}: the timeout passed`,
        "TimeoutError",
      );
    }
    return { [Symbol.dispose]: () => this.releaseSync() };
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `acquire`, blocking this thread until the Manager answers. */
  acquireSync(options?: WaitOptions): boolean {
    return this.callWaitingSync("acquire", [], options) as boolean;
  }
  /** `tryAcquire`, blocking this thread until the Manager answers. */
  tryAcquireSync(): boolean {
    return this.callSync("tryAcquire") as boolean;
  }
  /** `release`, blocking this thread until the Manager answers. */
  releaseSync(): void {
    this.callSync("release");
  }
  /** `locked`, blocking this thread until the Manager answers. */
  lockedSync(): boolean {
    return this.callSync("locked") as boolean;
  }
}

/**
 * A Manager's `Semaphore` (or `BoundedSemaphore`).
 *
 * @example Two permits
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const s = await manager.Semaphore(2);
 * await s.acquire();
 * strictEqual(await s.value(), 1);
 * await s.release();
 * ```
 */
export class SemaphoreProxy extends BaseProxy {
  /** Takes a permit; false if the timeout passed first. */
  acquire(options?: WaitOptions): Promise<boolean> {
    return this.callWaiting("acquire", [], options) as Promise<boolean>;
  }
  /** Takes a permit if one is free, without waiting. */
  tryAcquire(): Promise<boolean> {
    return this.call("tryAcquire") as Promise<boolean>;
  }
  /** Gives back `n` permits (a bounded one refuses more than it had). */
  async release(n = 1): Promise<void> {
    await this.call("release", [n]);
  }
  /** The permits free now. */
  value(): Promise<number> {
    return this.call("value") as Promise<number>;
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `acquire`, blocking this thread until the Manager answers. */
  acquireSync(options?: WaitOptions): boolean {
    return this.callWaitingSync("acquire", [], options) as boolean;
  }
  /** `tryAcquire`, blocking this thread until the Manager answers. */
  tryAcquireSync(): boolean {
    return this.callSync("tryAcquire") as boolean;
  }
  /** `release`, blocking this thread until the Manager answers. */
  releaseSync(n = 1): void {
    this.callSync("release", [n]);
  }
  /** `value`, blocking this thread until the Manager answers. */
  valueSync(): number {
    return this.callSync("value") as number;
  }
}

/**
 * A Manager's `Event`.
 *
 * @example Set, then wait
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const e = await manager.Event();
 * await e.set();
 * strictEqual(await e.wait({ timeout: 1000 }), true);
 * ```
 */
export class EventProxy extends BaseProxy {
  /** Sets the flag, waking every waiter. */
  async set(): Promise<void> {
    await this.call("set");
  }
  /** Clears the flag. */
  async clear(): Promise<void> {
    await this.call("clear");
  }
  /** Whether the flag is set. */
  isSet(): Promise<boolean> {
    return this.call("isSet") as Promise<boolean>;
  }
  /** Waits for the flag; false if the timeout passed first. */
  wait(options?: WaitOptions): Promise<boolean> {
    return this.callWaiting("wait", [], options) as Promise<boolean>;
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `set`, blocking this thread until the Manager answers. */
  setSync(): void {
    this.callSync("set");
  }
  /** `clear`, blocking this thread until the Manager answers. */
  clearSync(): void {
    this.callSync("clear");
  }
  /** `isSet`, blocking this thread until the Manager answers. */
  isSetSync(): boolean {
    return this.callSync("isSet") as boolean;
  }
  /** `wait`, blocking this thread until the Manager answers. */
  waitSync(options?: WaitOptions): boolean {
    return this.callWaitingSync("wait", [], options) as boolean;
  }
}

/**
 * A Manager's `Condition`, with a lock of its own held as a Manager RLock is.
 *
 * @example Notify under the lock
 * ```ts
 * import { Manager } from "@parallel/parallel";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const c = await manager.Condition();
 * await c.acquire();
 * await c.notifyAll();
 * await c.release();
 * ```
 */
export class ConditionProxy extends LockProxy {
  /** Waits to be notified (releasing the lock meanwhile); false on timeout. */
  wait(options?: WaitOptions): Promise<boolean> {
    return this.callWaiting("wait", [], options) as Promise<boolean>;
  }
  /** Wakes up to `n` waiters. */
  async notify(n = 1): Promise<void> {
    await this.call("notify", [n]);
  }
  /** Wakes every waiter. */
  async notifyAll(): Promise<void> {
    await this.call("notifyAll");
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `wait`, blocking this thread until the Manager answers. */
  waitSync(options?: WaitOptions): boolean {
    return this.callWaitingSync("wait", [], options) as boolean;
  }
  /** `notify`, blocking this thread until the Manager answers. */
  notifySync(n = 1): void {
    this.callSync("notify", [n]);
  }
  /** `notifyAll`, blocking this thread until the Manager answers. */
  notifyAllSync(): void {
    this.callSync("notifyAll");
  }
}

/**
 * A Manager's `Barrier`.
 *
 * @example One party
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const b = await manager.Barrier(1);
 * strictEqual(await b.wait(), 0);
 * ```
 */
export class BarrierProxy extends BaseProxy {
  /** Waits for every party; returns this one's index in the round. */
  wait(options?: WaitOptions): Promise<number> {
    return this.callWaiting("wait", [], options) as Promise<number>;
  }
  /** Breaks the current round and starts a fresh one. */
  async reset(): Promise<void> {
    await this.call("reset");
  }
  /** Breaks the barrier for good. */
  async abort(): Promise<void> {
    await this.call("abort");
  }
  /** How many parties it waits for. */
  parties(): Promise<number> {
    return this.call("parties") as Promise<number>;
  }
  /** How many wait now. */
  nWaiting(): Promise<number> {
    return this.call("nWaiting") as Promise<number>;
  }
  /** Whether it is broken. */
  broken(): Promise<boolean> {
    return this.call("broken") as Promise<boolean>;
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `wait`, blocking this thread until the Manager answers. */
  waitSync(options?: WaitOptions): number {
    return this.callWaitingSync("wait", [], options) as number;
  }
  /** `reset`, blocking this thread until the Manager answers. */
  resetSync(): void {
    this.callSync("reset");
  }
  /** `abort`, blocking this thread until the Manager answers. */
  abortSync(): void {
    this.callSync("abort");
  }
  /** `parties`, blocking this thread until the Manager answers. */
  partiesSync(): number {
    return this.callSync("parties") as number;
  }
  /** `nWaiting`, blocking this thread until the Manager answers. */
  nWaitingSync(): number {
    return this.callSync("nWaiting") as number;
  }
  /** `broken`, blocking this thread until the Manager answers. */
  brokenSync(): boolean {
    return this.callSync("broken") as boolean;
  }
}

/**
 * A Manager's `Queue` (or `LifoQueue`, `PriorityQueue`). Items are copies.
 *
 * @example Put and get
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const q = await manager.Queue<string>();
 * await q.put("job");
 * strictEqual(await q.get(), "job");
 * ```
 */
export class QueueProxy<T = unknown> extends BaseProxy {
  /** Puts an item, waiting for room (QueueFull on timeout). */
  async put(item: T, options?: WaitOptions): Promise<void> {
    await this.callWaiting("put", [item], options);
  }
  /** Puts an item if there is room now (QueueFull otherwise). */
  async putNowait(item: T): Promise<void> {
    await this.call("putNowait", [item]);
  }
  /** Takes an item, waiting for one (QueueEmpty on timeout). */
  get(options?: WaitOptions): Promise<T> {
    return this.callWaiting("get", [], options) as Promise<T>;
  }
  /** Takes an item if there is one now (QueueEmpty otherwise). */
  getNowait(): Promise<T> {
    return this.call("getNowait") as Promise<T>;
  }
  /** How many items it holds. */
  qsize(): Promise<number> {
    return this.call("qsize") as Promise<number>;
  }
  /** Whether it holds none. */
  empty(): Promise<boolean> {
    return this.call("empty") as Promise<boolean>;
  }
  /** Whether it is full. */
  full(): Promise<boolean> {
    return this.call("full") as Promise<boolean>;
  }
  /** Says a taken item is done. */
  async taskDone(): Promise<void> {
    await this.call("taskDone");
  }
  /** Waits until every item put is done; false on timeout. */
  join(options?: WaitOptions): Promise<boolean> {
    return this.callWaiting("join", [], options) as Promise<boolean>;
  }
  /** Shuts it down: puts fail, and gets once it is empty (or at once). */
  async shutdown(options?: { immediate?: boolean }): Promise<void> {
    await this.call("shutdown", [options?.immediate === true]);
  }

  // The same, blocking this thread (needs --allow-ffi).

  /** `put`, blocking this thread until the Manager answers. */
  putSync(item: T, options?: WaitOptions): void {
    this.callWaitingSync("put", [item], options);
  }
  /** `putNowait`, blocking this thread until the Manager answers. */
  putNowaitSync(item: T): void {
    this.callSync("putNowait", [item]);
  }
  /** `get`, blocking this thread until the Manager answers. */
  getSync(options?: WaitOptions): T {
    return this.callWaitingSync("get", [], options) as T;
  }
  /** `getNowait`, blocking this thread until the Manager answers. */
  getNowaitSync(): T {
    return this.callSync("getNowait") as T;
  }
  /** `qsize`, blocking this thread until the Manager answers. */
  qsizeSync(): number {
    return this.callSync("qsize") as number;
  }
  /** `empty`, blocking this thread until the Manager answers. */
  emptySync(): boolean {
    return this.callSync("empty") as boolean;
  }
  /** `full`, blocking this thread until the Manager answers. */
  fullSync(): boolean {
    return this.callSync("full") as boolean;
  }
  /** `taskDone`, blocking this thread until the Manager answers. */
  taskDoneSync(): void {
    this.callSync("taskDone");
  }
  /** `join`, blocking this thread until the Manager answers. */
  joinSync(options?: WaitOptions): boolean {
    return this.callWaitingSync("join", [], options) as boolean;
  }
  /** `shutdown`, blocking this thread until the Manager answers. */
  shutdownSync(options?: { immediate?: boolean }): void {
    this.callSync("shutdown", [options?.immediate === true]);
  }
}

const CLASSES = {
  dict: DictProxy,
  list: ListProxy,
  Namespace: NamespaceProxy,
  Value: ValueProxy,
  Array: ArrayProxy,
  Lock: LockProxy,
  RLock: LockProxy,
  Semaphore: SemaphoreProxy,
  BoundedSemaphore: SemaphoreProxy,
  Event: EventProxy,
  Condition: ConditionProxy,
  Barrier: BarrierProxy,
  Queue: QueueProxy,
  LifoQueue: QueueProxy,
  PriorityQueue: QueueProxy,
} as const satisfies Record<ProxyKind, new (ref: ProxyRef) => BaseProxy>;

/** The proxy class of each kind. */
export type ProxyOf<K extends ProxyKind> = InstanceType<(typeof CLASSES)[K]>;

/** A proxy for `ref`. */
export function proxyFor<K extends ProxyKind>(
  ref: ProxyRef & { kind: K },
): ProxyOf<K> {
  const Class = CLASSES[ref.kind] as new (ref: ProxyRef) => BaseProxy;
  return new Class(ref) as ProxyOf<K>;
}

/** A proxy stored in its own Manager: the object's number and kind. */
interface NestedRef {
  readonly id: number;
  readonly kind: ProxyKind;
}

/**
 * `value` with each proxy in it (in arrays, plain objects, Maps and Sets)
 * replaced by a reference its Manager stores; `value` itself if it holds
 * none.
 *
 * @throws {TypeError} For a proxy of another Manager.
 */
function nestProxies(value: unknown, ref: ProxyRef, where: string): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof BaseProxy) {
    const inner = value.toMessage()[PROXY];
    if (!sameAddress(inner.address, ref.address)) {
      throw new TypeError(
        `${where}: a proxy of the Manager at ${
          addressName(inner.address)
        } cannot be stored in another Manager`,
      );
    }
    const nested: NestedRef = { id: inner.id, kind: inner.kind };
    return { [PROXY]: nested };
  }
  return mapContents(value, (each) => nestProxies(each, ref, where));
}

/** Undoes `nestProxies` in a reply: each reference becomes a proxy. */
function reviveNested(value: unknown, ref: ProxyRef): unknown {
  if (typeof value !== "object" || value === null) return value;
  const nested = (value as Record<string, unknown>)[PROXY] as
    | Partial<NestedRef>
    | undefined;
  if (
    typeof nested === "object" && nested !== null &&
    typeof nested.id === "number" && typeof nested.kind === "string" &&
    Object.hasOwn(CLASSES, nested.kind)
  ) {
    return proxyFor({ ...ref, id: nested.id, kind: nested.kind });
  }
  return mapContents(value, (each) => reviveNested(each, ref));
}

/**
 * A copy of an array, plain object, Map or Set with `f` applied to what it
 * holds, or the value itself if `f` changed nothing (or it is none of them).
 */
function mapContents(value: object, f: (each: unknown) => unknown): unknown {
  let changed = false;
  const g = (each: unknown) => {
    const mapped = f(each);
    changed ||= mapped !== each;
    return mapped;
  };
  let copy: unknown;
  if (Array.isArray(value)) copy = value.map(g);
  else if (value instanceof Map) {
    copy = new Map([...value].map(([k, v]) => [g(k), g(v)]));
  } else if (value instanceof Set) copy = new Set([...value].map(g));
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    copy = Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, g(v)]),
    );
  } else return value;
  return changed ? copy : value;
}

/** Whether a message value is a traveling proxy, and revives it. */
export function reviveProxy(value: unknown): BaseProxy | undefined {
  const ref = (value as Record<string, unknown>)[PROXY] as
    | ProxyRef
    | undefined;
  if (typeof ref !== "object" || ref === null) return undefined;
  if (!(ref.authkey instanceof Uint8Array) || !(ref.kind in CLASSES)) {
    throw new TypeError(`Not a Manager proxy: ${quote(ref)}`);
  }
  return proxyFor(ref);
}
