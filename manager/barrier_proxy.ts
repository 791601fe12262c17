import { BaseProxy } from "./_proxy.ts";
import type { WaitOptions } from "../internal/options.ts";

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
