import { BaseProxy } from "./_proxy.ts";
import { shutdownImmediate, type WaitOptions } from "../internal/options.ts";

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
    await this.call("shutdown", [shutdownImmediate("Queue", options)]);
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
    this.callSync("shutdown", [shutdownImmediate("Queue", options)]);
  }
}
