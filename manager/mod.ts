/**
 * The Manager: Python's `multiprocessing.Manager`, shared containers and
 * synchronisation objects served to processes, threads and other machines
 * over TCP (or, on one Linux machine, an abstract Unix socket), with an
 * HMAC-proved key.
 *
 * @example
 * ```ts
 * import { Manager } from "@parallel/parallel/manager";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const list = await manager.list([[1, 2, 3]]);
 * strictEqual(await list.length(), 1);
 * ```
 *
 * @module
 */

export {
  Manager,
  type ManagerAddress,
  type ManagerOptions,
} from "./manager.ts";
export {
  ArrayProxy,
  BarrierProxy,
  BaseProxy,
  ConditionProxy,
  DictProxy,
  EventProxy,
  ListProxy,
  LockProxy,
  NamespaceProxy,
  QueueProxy,
  SemaphoreProxy,
  ValueProxy,
} from "./proxies.ts";
export { AuthenticationError, ManagerConnectionError } from "./errors.ts";
export type { ProxyKind } from "./_served.ts";
export type { TcpAddress, UnixAddress } from "./_address.ts";
export type { ProxyCallOptions } from "./_client.ts";
