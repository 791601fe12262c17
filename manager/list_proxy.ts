import { BaseProxy } from "./_proxy.ts";

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
