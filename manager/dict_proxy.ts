import { BaseProxy } from "./_proxy.ts";
import { quote } from "../internal/options.ts";

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
    await this.call("update", [entryPairs("dict.update()", entries)]);
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
  /**
   * Removes the pair set last and returns it: Python's `popitem`.
   *
   * @throws {RangeError} If the dict is empty.
   */
  popItem(): Promise<[K, V]> {
    return this.call("popItem") as Promise<[K, V]>;
  }
  /**
   * Adds `amount` to the number at `key` (0 if none), in one call.
   *
   * @throws {TypeError} If `amount` or the value is not a number.
   */
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
    this.callSync("update", [entryPairs("dict.updateSync()", entries)]);
  }
  /** `setDefault`, blocking this thread until the Manager answers. */
  setDefaultSync(key: K, value: V): V {
    return this.callSync("setDefault", [key, value]) as V;
  }
  /** `pop`, blocking this thread until the Manager answers. */
  popSync(key: K, ...fallback: [] | [V]): V {
    return this.callSync("pop", [key, ...fallback]) as V;
  }
  /** `popItem`, blocking this thread until the Manager answers. */
  popItemSync(): [K, V] {
    return this.callSync("popItem") as [K, V];
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
 * The entries of a Map, an iterable of pairs or a plain object, as pairs.
 *
 * @throws {TypeError} For anything else.
 */
export function entryPairs<K, V>(
  where: string,
  entries: Iterable<readonly [K, V]> | Record<string, V>,
): (readonly [K, V])[] {
  if (Symbol.iterator in Object(entries)) {
    return [...entries as Iterable<readonly [K, V]>];
  }
  if (typeof entries !== "object" || entries === null) {
    throw new TypeError(
      `${where}: 'entries' must be a Map, an iterable of pairs or a plain object, received ${
        quote(entries)
      }`,
    );
  }
  return Object.entries(entries) as unknown as (readonly [K, V])[];
}
