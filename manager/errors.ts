import {
  AbandonedLockError,
  BrokenBarrierError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
} from "../primitives/errors.ts";
import { AuthenticationError } from "./_auth.ts";

export { AuthenticationError };

/**
 * The connection to a Manager was refused or lost: its server ended, or the
 * network between them failed. Calls in flight reject with it; the next
 * call connects again.
 *
 * @example A Manager that is gone
 * ```ts
 * import { Manager, ManagerConnectionError } from "@parallel/parallel";
 * import { rejects } from "node:assert/strict";
 *
 * const manager = await Manager.start({ serveInProcess: true });
 * const dict = await manager.dict();
 * await manager.shutdown();
 * await rejects(dict.get("x"), ManagerConnectionError);
 * ```
 */
export class ManagerConnectionError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed.
   */
  constructor(message: string) {
    super(message);
    this.name = "ManagerConnectionError";
  }
}

const KNOWN: Record<string, new (message: string) => Error> = {
  AbandonedLockError,
  BrokenBarrierError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  TypeError,
  RangeError,
  AuthenticationError,
};

/** The error a server sent, as the class it was there. */
export function remoteError(
  { name, message }: { name: string; message: string },
): Error {
  if (name === "AbortError" || name === "TimeoutError") {
    return new DOMException(message, name);
  }
  const Known = Object.hasOwn(KNOWN, name) ? KNOWN[name]! : Error;
  const error = new Known(message);
  if (Known === Error) error.name = name;
  return error;
}
