/**
 * Beyond one machine: {@linkcode ClusterPool}, the executor of this module
 * whose tasks run on worker processes of many machines, through Redis
 * Streams. The same `submit`, `map`, `imap`, `imapUnordered`, `starmap`,
 * `apply` and `shutdown` as a ThreadPool or a ProcessPool, and the same
 * `Future`, `asCompleted` and `wait`. Workers are started on each machine
 * with `deno run -A jsr:@parallel/parallel/worker` (see
 * `@parallel/parallel/worker`).
 *
 * This entry loads a Redis client from npm; the rest of the module loads
 * nothing from outside, so it is not re-exported from the root.
 *
 * @example Options are checked before anything connects
 * ```ts
 * import { ClusterPool } from "@parallel/parallel/cluster";
 * import { throws } from "node:assert/strict";
 *
 * throws(
 *   () => new ClusterPool("https://example.com/tasks.ts", { redis: "redis://h", queue: "a b" }),
 *   RangeError,
 * );
 * ```
 *
 * @module
 */
export * from "./cluster_pool.ts";
export * from "./errors.ts";
export type { RedisOptions, RedisTlsOptions } from "./_redis.ts";
