import { checkDuration, checkInteger, quote } from "../internal/options.ts";
import { Executor } from "../pools/executor.ts";
import { moduleHref } from "../pools/_start_options.ts";
import {
  type ClusterCounts,
  ClusterLanes,
  type ClusterSetup,
} from "./_cluster_lane.ts";
import { checkConnection, type RedisOptions } from "./_redis.ts";

export type { ClusterCounts };

/** Options of a {@linkcode ClusterPool}: how to reach Redis, and the pool's own. */
export interface ClusterPoolOptions extends RedisOptions {
  /**
   * The most tasks of this pool out in the cluster at once (in Redis or
   * running); the others wait in this program, where cancelling one drops
   * it. Default 64, at most 1024. How many run at once is the workers'
   * business: each runs `--concurrency` tasks.
   */
  maxWorkers?: number;
  /**
   * The most tasks that may wait in this program; one more is a `QueueFull`
   * error at submit. Default `Infinity`.
   */
  maxQueue?: number;
  /**
   * The default time limit of a task (ms), counted from when a worker takes
   * it. A task that runs longer rejects at once with a `TimeoutError`, and
   * its worker is told to stop it. Default `Infinity`.
   */
  taskTimeout?: number;
  /**
   * How many times a task is delivered again after its worker died under
   * it (a killed process, a lost machine, a crashed local worker) before it
   * fails with a `WorkerCrashedError`. Default 2.
   */
  maxRetries?: number;
  /**
   * The most bytes a task's arguments, or its result, may take encoded
   * (default 1 MiB): larger arguments are a `RangeError` at submit, a larger
   * result the task's error.
   */
  maxMessageBytes?: number;
  /**
   * How long (ms) Redis may be unreachable before the tasks out and waiting
   * reject with a `BrokerError` (default 30,000). The pool reconnects when
   * Redis is back.
   */
  brokerTimeout?: number;
}

const DEFAULT_WINDOW = 64;
const MIB = 1024 * 1024;

/**
 * An executor whose tasks run on worker processes of any number of
 * machines, through Redis: the same calls as {@linkcode ThreadPool} and
 * {@linkcode ProcessPool} (`submit`, `map`, `imap`, `imapUnordered`,
 * `starmap`, `apply`, `shutdown`) and the same {@linkcode Future}, which
 * works with `asCompleted` and `wait`. Python users would reach for Dask's
 * `distributed.Client`; this is the same idea on Redis Streams.
 *
 * Tasks are the exports of a module that every worker imports (a file,
 * https or JSR URL): on each machine, start workers with
 * `deno run -A jsr:@parallel/parallel/worker --redis redis://host:6379 --module <url> --concurrency N`.
 * A worker runs only the exports of the modules it was started with; no
 * function's source crosses machines, and nothing received is evaluated.
 * Arguments and results travel in the module's codec (what structured clone
 * carries), up to `maxMessageBytes`.
 *
 * Tasks run at least once: a worker that dies (SIGKILL, a lost machine) has
 * its tasks delivered to another after the workers' visibility timeout, up
 * to `maxRetries` times, then they fail with a `WorkerCrashedError`; a
 * task's future settles exactly once, with the first answer. A task that has
 * not left this program can be cancelled; one in Redis cannot (a worker may
 * be taking it). Time limits and abort signals work as in the other pools,
 * counted from when a worker takes the task. If Redis is unreachable for
 * `brokerTimeout`, the tasks out reject with a `BrokerError`, and the pool
 * reconnects when Redis is back. Keep Redis off public networks: anyone who
 * can write to it can make the workers run their exports.
 *
 * An idle pool does not keep the program alive; tasks out do. Times are in
 * milliseconds.
 *
 * @typeParam M The type of the task module (`typeof import("./tasks.ts")`).
 *
 * @example Options are checked before anything connects
 * ```ts
 * import { ClusterPool } from "@parallel/parallel/cluster";
 * import { throws } from "node:assert/strict";
 *
 * const tasks = new URL("./tasks.ts", import.meta.url);
 * throws(() => new ClusterPool(tasks, { redis: "http://localhost" }), RangeError);
 * throws(() => new ClusterPool(tasks, { redis: "redis://h", maxRetries: -1 }), RangeError);
 * ```
 */
export class ClusterPool<M = Record<string, never>> extends Executor<M> {
  readonly #lanes: ClusterLanes;

  /**
   * Creates a pool; it connects when the first task is submitted.
   *
   * @param module The task module's URL, the same for every worker.
   * @param options Where Redis is, the queue's name, and the pool's settings.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If an option is out of range.
   *
   * @example Run the exports of a module on the workers of a queue
   * ```ts ignore
   * // ignore: needs a Redis server and workers (see the README).
   * import { ClusterPool } from "@parallel/parallel/cluster";
   *
   * await using pool = new ClusterPool<typeof import("./tasks.ts")>(
   *   "https://example.com/tasks.ts",
   *   { redis: "redis://10.0.0.5:6379", queue: "render" },
   * );
   * const n: number = await pool.submit("fib", 30);
   * ```
   */
  constructor(module: URL | string, options: ClusterPoolOptions) {
    const where = "Cannot create ClusterPool";
    const href = moduleHref(where, "module", module);
    const connection = checkConnection(where, options);
    const setup: ClusterSetup = {
      connection,
      module: href,
      maxRetries: checkInteger(
        where,
        "maxRetries",
        options.maxRetries ?? 2,
        0,
        1000,
      ),
      maxMessageBytes: checkInteger(
        where,
        "maxMessageBytes",
        options.maxMessageBytes ?? MIB,
        16,
        512 * MIB,
      ),
      brokerTimeout: checkDuration(
        where,
        "brokerTimeout",
        options.brokerTimeout ?? 30_000,
      ),
    };
    if (setup.brokerTimeout === Infinity) {
      throw new RangeError(
        `${where}: 'brokerTimeout' must be finite, received ${
          quote(options.brokerTimeout)
        }`,
      );
    }
    const lanes = new ClusterLanes(setup);
    super("ClusterPool", href, {
      maxWorkers: options.maxWorkers ?? DEFAULT_WINDOW,
      ...(options.maxQueue === undefined ? {} : { maxQueue: options.maxQueue }),
      ...(options.taskTimeout === undefined
        ? {}
        : { taskTimeout: options.taskTimeout }),
    }, () => lanes);
    this.#lanes = lanes;
  }

  /**
   * How many of this pool's tasks are where, as this program knows it:
   * waiting (here or in Redis), running on a worker, answered with a result
   * or with an error, and how many deliveries came after a worker died or
   * stalled under a task.
   *
   * @returns The counts, a fresh object.
   *
   * @example Nothing submitted, nothing counted
   * ```ts
   * import { ClusterPool } from "@parallel/parallel/cluster";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * await using pool = new ClusterPool(new URL("./tasks.ts", import.meta.url), {
   *   redis: "redis://127.0.0.1:6379",
   * });
   * deepStrictEqual(pool.counts, {
   *   queued: 0,
   *   running: 0,
   *   done: 0,
   *   failed: 0,
   *   redelivered: 0,
   * });
   * ```
   */
  get counts(): ClusterCounts {
    const { waiting, running } = this.#lanes.out;
    return {
      queued: this.queuedHere + waiting,
      running,
      ...this.#lanes.counts,
    };
  }
}
