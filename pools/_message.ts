// What goes to a thread worker by `postMessage` rather than through shared
// memory (`_thread_lane.ts`, `_worker.ts`, `thread.ts`): the primitives of
// this module inside a value travel as their handles, and a Manager's
// proxies as their address and key, which structured clone carries and the
// worker revives.

import {
  type Handle,
  handleOf,
  isHandle,
  revive,
  sharesWithProcesses,
} from "../primitives/_internals.ts";
import { HANDLE, PROXY } from "./_wire.ts";
import { BaseProxy, reviveProxy } from "../manager/proxies.ts";
import { netPermission } from "../manager/_address.ts";

/**
 * Prepares a value for `postMessage`: the primitives of this module inside
 * arrays and plain objects become their handles, which structured clone
 * carries and `fromMessage` revives.
 */
export function toMessage(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const handle = handleOf(value);
  if (handle !== undefined) return { [HANDLE]: handle };
  if (value instanceof BaseProxy) return value.toMessage();
  if (Array.isArray(value)) {
    const message = value.map(toMessage);
    // Unchanged (no primitive inside): the value itself, so that callers
    // can tell, and the common case keeps no copy.
    return message.every((each, i) => each === value[i]) ? value : message;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    let changed = false;
    const copy: Record<string, unknown> = {};
    for (const [key, each] of Object.entries(value)) {
      copy[key] = toMessage(each);
      changed ||= copy[key] !== each;
    }
    return changed ? copy : value;
  }
  return value;
}

/** Whether a Manager's proxy is inside a value (arrays and plain objects). */
export function hasProxy(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (value instanceof BaseProxy) return true;
  if (Array.isArray(value)) return value.some(hasProxy);
  return Object.getPrototypeOf(value) === Object.prototype &&
    Object.values(value).some(hasProxy);
}

/**
 * What `--allow-net` must name to reach the Managers of the proxies in a
 * value: `host:port`, or "" for one on an abstract Unix socket.
 */
export function proxyHosts(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return [];
  if (value instanceof BaseProxy) {
    return [netPermission(value.address)];
  }
  const each = Array.isArray(value)
    ? value
    : Object.getPrototypeOf(value) === Object.prototype
    ? Object.values(value)
    : [];
  return [...new Set(each.flatMap(proxyHosts))];
}

/**
 * Prepares a value for a child process: as `toMessage`, and every handle
 * must name memory that processes share, so that the child maps it.
 *
 * @throws {TypeError} In a program that cannot share memory with processes,
 * naming the flag that lets it.
 */
export function toProcessMessage(value: unknown, where: string): unknown {
  const message = toMessage(value);
  if (message !== value) checkShared(message, where);
  return message;
}

function checkShared(value: unknown, where: string): void {
  if (typeof value !== "object" || value === null) return;
  const handle = (value as Record<string, unknown>)[HANDLE] as
    | Handle
    | undefined;
  if (handle !== undefined) {
    if (!sharesWithProcesses()) {
      throw new TypeError(
        `${where}: ${handle.kind} lives in memory only the threads of this process share; ${
          Deno.build.os === "linux"
            ? "run the program with --allow-ffi, which makes primitives in memory that processes share"
            : `processes share primitives only on Linux, not on ${Deno.build.os}`
        }, or share data through a Manager`,
      );
    }
    return;
  }
  for (const each of Object.values(value)) checkShared(each, where);
}

/** Undoes `toMessage` on the receiving side. */
export function fromMessage(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(fromMessage);
  if (Object.getPrototypeOf(value) === Object.prototype) {
    const handle = (value as Record<string, unknown>)[HANDLE];
    if (isHandle(handle)) return revive(handle);
    if (PROXY in value) return reviveProxy(value);
    const copy: Record<string, unknown> = {};
    for (const [key, each] of Object.entries(value)) {
      copy[key] = fromMessage(each);
    }
    return copy;
  }
  return value;
}

/**
 * Arguments for `postMessage`: primitives replaced by handles, then cloned
 * at once, with `transfer` moved into the clone. So a value that cannot be
 * sent is a TypeError now, and the caller's buffers are detached now, as
 * `postMessage` would do, even if the task waits before it is posted.
 *
 * @returns The clone and the buffers to transfer when it is posted.
 */
export function prepareMessage(
  where: string,
  args: unknown,
  transfer: ArrayBuffer[],
): { args: unknown; transfer: ArrayBuffer[] } {
  try {
    return structuredClone({ args: toMessage(args), transfer }, { transfer });
  } catch (error) {
    throw new TypeError(
      `${where}: its arguments cannot be sent to a worker (${
        (error as Error).message
      })`,
    );
  }
}
