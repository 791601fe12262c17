import { BaseProxy } from "./_proxy.ts";

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
