import { isMainThread } from "node:worker_threads";
import { processName } from "./_process_name.ts";
import { mainThread } from "./enumerate.ts";

/** A process as {@linkcode currentProcess} describes it. */
export interface ProcessInfo {
  /** `"MainProcess"`, a {@linkcode Process}'s name, or a pool worker's. */
  readonly name: string;
  /** Its process id. */
  readonly pid: number;
}

/**
 * The process this code runs in: Python's
 * `multiprocessing.current_process()`, whose name logging's
 * `%(processName)s` prints.
 *
 * @example In the program's own process
 * ```ts
 * import { currentProcess } from "@parallel/parallel/pools";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(currentProcess().name, "MainProcess");
 * strictEqual(currentProcess().pid, Deno.pid);
 * ```
 */
export function currentProcess(): ProcessInfo {
  return { name: processName() ?? "MainProcess", pid: Deno.pid };
}

/** A thread as {@linkcode currentThread} describes it. */
export interface ThreadInfo {
  /** `"MainThread"`, a {@linkcode Thread}'s name, or a pool worker's. */
  readonly name: string;
}

/**
 * The thread this code runs in: Python's `threading.current_thread()`,
 * whose name logging's `%(threadName)s` prints. Each process has its own
 * `"MainThread"`; on it, this returns {@linkcode mainThread}'s object, so
 * that `thread === currentThread()` picks it out of
 * {@linkcode enumerateThreads}.
 *
 * @example In the program's main thread
 * ```ts
 * import { currentThread } from "@parallel/parallel/pools";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(currentThread().name, "MainThread");
 * ```
 */
export function currentThread(): ThreadInfo {
  if (isMainThread) return mainThread();
  const name = (globalThis as { name?: unknown }).name;
  return { name: typeof name === "string" && name !== "" ? name : "Thread" };
}
