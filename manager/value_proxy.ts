import { BaseProxy } from "./_proxy.ts";

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
  /**
   * Adds `amount` to a number in one call; returns the sum.
   *
   * @throws {TypeError} If `amount` or the value is not a number.
   */
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
