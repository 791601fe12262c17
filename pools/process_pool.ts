// node:v8 for the codec, which the children load only when needed.
import "../primitives/_codec_clone.ts";
import {
  permissionFlags,
  type PermissionName,
  type ProcessPermissions,
} from "./_permissions.ts";
import { checkResourceLimits, type ResourceLimits } from "./_transport.ts";
import { ProcessLanes } from "./_process_lane.ts";
import { encodeMessage } from "./_process_wire.ts";
import { Executor, type PoolOptions } from "./executor.ts";

export type { PermissionName, ProcessPermissions };

/** Options of a {@linkcode ProcessPool}. */
export interface ProcessPoolOptions extends PoolOptions {
  /**
   * The permissions of each process (default `"inherit"`: every permission
   * this program has in full). A process may always read the folder of
   * the task module, which it imports.
   */
  permissions?: ProcessPermissions;
  /**
   * Limits of each process's JavaScript engine (sizes in MiB, as
   * ThreadPool's), given to V8 as its flags. A task that makes its process
   * run out of memory fails with a `WorkerCrashedError`, its process is
   * replaced, and the program goes on. Default `{}`: V8's own limits.
   */
  resourceLimits?: ResourceLimits;
}

/** V8's flags for a process's resource limits. */
function v8Flags(where: string, limits: unknown): string[] {
  const checked = checkResourceLimits(where, limits);
  const flags = [];
  const {
    maxOldGenerationSizeMb: old,
    maxYoungGenerationSizeMb: young,
    stackSizeMb: stack,
    codeRangeSizeMb: codeRange,
  } = checked;
  if (codeRange !== undefined) {
    throw new RangeError(
      `${where}: 'resourceLimits.codeRangeSizeMb' cannot be set for a process (received ${codeRange})`,
    );
  }
  if (old !== undefined) flags.push(`--max-old-space-size=${Math.ceil(old)}`);
  // V8's young generation is three of its semi-spaces.
  if (young !== undefined) {
    flags.push(`--max-semi-space-size=${Math.max(1, Math.ceil(young / 3))}`);
  }
  if (stack !== undefined) {
    flags.push(`--stack-size=${Math.ceil(stack * 1024)}`);
  }
  return flags.length === 0 ? [] : [`--v8-flags=${flags.join(",")}`];
}

/**
 * A pool of child processes that runs tasks in parallel, like Python's
 * `concurrent.futures.ProcessPoolExecutor` and `multiprocessing.Pool`: the
 * same calls as {@linkcode ThreadPool} (`submit`, `map`, `imap`, `apply`,
 * `shutdown`...), each task in a separate `deno run` process, with its own
 * memory and its own event loop, which a task cannot crash or exhaust for
 * the others.
 *
 * A task is an export of the pool's module, typed end to end, or a
 * self-contained function sent as source. Arguments and results are copied
 * (what structured clone carries); the primitives of this module cross
 * too, on Linux when the program runs with `--allow-ffi`, and transferred
 * buffers cannot. What a task prints goes to this program's stdout and
 * stderr.
 *
 * Every task settles, as in a ThreadPool. A task that times out or is
 * aborted while it runs is stopped for real: its process is killed and
 * replaced, and the tasks it had not started go to other processes. A
 * process that dies (`Deno.exit`, out of memory, a signal) fails the task it
 * ran with a `WorkerCrashedError` whose `exitCode` is the process's (minus
 * the signal's number when a signal killed it), and the pool goes on.
 *
 * Processes start on demand up to `maxWorkers`, each with the permissions
 * of this program unless `permissions` says otherwise; starting one needs
 * `--allow-run` (and `--allow-read` to find Deno). An idle pool does not
 * keep the program alive, tasks in flight do; a process left when the
 * program ends is killed. Times are in milliseconds.
 *
 * @typeParam M The type of the task module (`typeof import("./tasks.ts")`).
 *
 * @example Run a function on two processes
 * ```ts
 * import { ProcessPool } from "@parallel/parallel/pools";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * await using pool = new ProcessPool({ maxWorkers: 2 });
 * strictEqual(await pool.submit((a: number, b: number) => a * b, 6, 7), 42);
 * deepStrictEqual(await pool.map((n: number) => n * n, [1, 2, 3]), [1, 4, 9]);
 * ```
 */
export class ProcessPool<M = Record<string, never>> extends Executor<M> {
  /**
   * Creates a pool for self-contained functions.
   *
   * @param options The pool's settings.
   */
  constructor(options?: ProcessPoolOptions);
  /**
   * Creates a pool whose tasks are the exports of a module.
   *
   * @param module The module's URL (`new URL("./tasks.ts", import.meta.url)`).
   * @param options The pool's settings.
   */
  constructor(module: URL | string, options?: ProcessPoolOptions);
  /**
   * Creates a pool.
   *
   * @param moduleOrOptions The task module's URL, or the options.
   * @param maybeOptions The options, after a module.
   * @throws {TypeError} If an option has the wrong type.
   * @throws {RangeError} If an option is out of range.
   * @throws {Deno.errors.NotCapable} If `permissions` asks for more than this
   * program has.
   *
   * @example A pool of tasks from a module
   * ```ts ignore
   * import { ProcessPool } from "@parallel/parallel/pools";
   *
   * await using pool = new ProcessPool<typeof import("./tasks.ts")>(
   *   new URL("./tasks.ts", import.meta.url),
   *   { maxWorkers: 4 },
   * );
   * const n: number = await pool.submit("fib", 30);
   * ```
   */
  constructor(
    moduleOrOptions?: URL | string | ProcessPoolOptions,
    maybeOptions?: ProcessPoolOptions,
  ) {
    super(
      "ProcessPool",
      moduleOrOptions,
      maybeOptions,
      ({ module, initializer }, options: ProcessPoolOptions | undefined) => {
        const where = "Cannot create ProcessPool";
        // Checked now, so that initargs that cannot travel fail here.
        if (initializer !== undefined) encodeMessage(initializer.args, where);
        return new ProcessLanes({
          module,
          initializer,
          flags: [
            ...permissionFlags(where, options?.permissions, [module]),
            ...v8Flags(where, options?.resourceLimits),
          ],
        });
      },
    );
  }
}
