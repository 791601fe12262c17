// The error of a ClusterPool's broker. Others are the pools' own
// (`pools/errors.ts`): a task whose workers all died under it fails with a
// WorkerCrashedError, one that timed out with a TimeoutError.

/**
 * The error of a task of a {@linkcode ClusterPool} whose broker (Redis)
 * could not be reached for the pool's `brokerTimeout`: the task may or may
 * not have run. The pool keeps trying to reconnect, and tasks submitted
 * once Redis is back run as usual.
 *
 * @example Tell a lost broker from a failing task
 * ```ts
 * import { BrokerError } from "@parallel/parallel/cluster";
 * import { strictEqual } from "node:assert/strict";
 *
 * const error: unknown = new BrokerError("Redis could not be reached");
 * strictEqual(error instanceof BrokerError && error.name, "BrokerError");
 * ```
 */
export class BrokerError extends Error {
  /**
   * Creates the error.
   *
   * @param message Which broker, and for how long it was away.
   * @param options The `cause`, if known.
   */
  constructor(
    message = "The broker could not be reached",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "BrokerError";
  }
}
