import { BaseProxy } from "./_proxy.ts";

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
  /**
   * Adds `amount` to the number `name` (0 if none), in one call.
   *
   * @throws {TypeError} If `amount` or the value is not a number.
   */
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
