// The one place that starts worker threads, for the pool and for Thread.
//
// They are `node:worker_threads` Workers, not Web Workers (ARCHITECTURE.md,
// "The pools", has what was measured): Deno 2.9.6 tells a parent nothing when a Web Worker calls
// `self.close()` or `Deno.exit()`, and cannot terminate a Web Worker that is
// blocked in Atomics.wait; a `node:worker_threads` Worker emits `exit` with
// a code in every case, stops on `terminate()` when it is blocked or idle
// (not while it computes: then `exit` comes at once and the thread runs on),
// and can be unref'd (daemon threads, idle pools). It only loads `file:` and `data:`
// URLs, so it starts from a `data:` module that imports the real entry: that
// works for a `file:` entry and for the `https:` one of a JSR package.

import { Worker } from "node:worker_threads";
import type {
  Handle,
  MemoryRef,
  QueueHandle,
} from "../primitives/_internals.ts";
import { checkObject, quote } from "../internal/options.ts";

/**
 * Limits of a worker thread's JavaScript engine, as `node:worker_threads`
 * names them (sizes in MiB). A worker that reaches its heap limit ends
 * alone, with exit code 1 and an `ERR_WORKER_OUT_OF_MEMORY` error; without
 * limits, running out of memory in any thread aborts the whole process.
 */
export interface ResourceLimits {
  /** The most memory for long-lived objects (the old generation). */
  maxOldGenerationSizeMb?: number;
  /** The most memory for new objects (the young generation). */
  maxYoungGenerationSizeMb?: number;
  /** The memory reserved for generated code. */
  codeRangeSizeMb?: number;
  /** The thread's stack size. */
  stackSizeMb?: number;
}

const LIMITS = [
  "maxOldGenerationSizeMb",
  "maxYoungGenerationSizeMb",
  "codeRangeSizeMb",
  "stackSizeMb",
] as const;

/**
 * Checks a `resourceLimits` option. The default, `{}`, sets no size of its
 * own (the engine's defaults, or the program's `--max-old-space-size`) but
 * is what makes the engine end only the worker at its limit.
 */
export function checkResourceLimits(
  where: string,
  limits: unknown,
): ResourceLimits {
  if (limits === undefined) return {};
  checkObject(where, "resourceLimits", limits);
  const checked: ResourceLimits = {};
  for (const [key, value] of Object.entries(limits as object)) {
    if (!(LIMITS as readonly string[]).includes(key)) {
      throw new TypeError(
        `${where}: 'resourceLimits' has no option ${quote(key)} (it takes ${
          LIMITS.map((name) => `'${name}'`).join(", ")
        })`,
      );
    }
    if (value === undefined) continue;
    if (typeof value !== "number") {
      throw new TypeError(
        `${where}: 'resourceLimits.${key}' must be a number of MiB, received ${
          quote(value)
        }`,
      );
    }
    if (!(value > 0) || value === Infinity) {
      throw new RangeError(
        `${where}: 'resourceLimits.${key}' must be a positive number of MiB, received ${value}`,
      );
    }
    checked[key as keyof ResourceLimits] = value;
  }
  return checked;
}

/**
 * Words of a worker's info block, which the worker and its parent share:
 * its thread id; whether it is ready (a pool worker has loaded its module
 * and run its initializer); whether its parent asked it to leave (a pool
 * worker whose task timed out or was aborted); whether it has ended by
 * itself (so that nothing it did can change any more); whether it ran out
 * of memory; for a Thread, whether its target was asked to stop; and the
 * sockets it made outside Deno.
 */
export const INFO_IDENT = 0;
export const INFO_READY = 1;
export const INFO_RETIRE = 2;
export const INFO_GONE = 3;
export const INFO_OUT_OF_MEMORY = 4;
/** A Thread's target, as a claim word (`_claim.ts`): CLAIMED, or ABORTED. */
export const INFO_TASK = 5;
/** The sockets it made through FFI (`_thread_sockets.ts`), one per word. */
export const INFO_SOCKETS = 6;
export const INFO_SOCKET_SLOTS = 4;
const INFO_WORDS = INFO_SOCKETS + INFO_SOCKET_SLOTS;

/** A new info block, all words 0. */
export function createInfo(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * INFO_WORDS));
}

/** What a pool worker receives (`_worker.ts`). */
export interface WorkerData {
  /** The program's shared heap, adopted before anything else. */
  heap: MemoryRef;
  /** The URL of the module whose exports are the named tasks. */
  module: string | undefined;
  /** Runs once before the first task (an export's name or a function's source). */
  initializer: { target: string; args: unknown[] } | undefined;
  requests: QueueHandle;
  responses: QueueHandle;
  /** The claim words of its line (`_claim.ts`). */
  claims: Int32Array;
  /** The info block (`INFO_*`). */
  info: Int32Array;
  /** The pool's doorbell (`_bell.ts`). */
  bell: Int32Array;
}

/** What a Thread's worker receives (`_thread_worker.ts`). */
export interface ThreadData {
  /** The program's shared heap, adopted first. */
  heap: MemoryRef;
  /** The thread id reserved for it. */
  ident: number;
  /** The thread's name, for messages. */
  name: string;
  /** The module of an export target, or undefined for a function. */
  module: string | undefined;
  /** The export's name, or the function's source. */
  source: string;
  /**
   * The argument list: in a SimpleQueue, or as a message (`_message.ts`) when
   * the queue cannot carry it.
   */
  args: { queue: QueueHandle } | { message: unknown };
  /** Set when the target has returned or thrown (an Event). */
  finished: Handle;
  /** The info block (`INFO_*`). */
  info: Int32Array;
}

/**
 * Resolves once a worker marks itself gone (INFO_GONE). It does not keep
 * the program alive (Deno's `Atomics.waitAsync` does not), so a thread
 * that never ends costs nothing but the wait.
 */
export async function whenGone(info: Int32Array): Promise<void> {
  while (Atomics.load(info, INFO_GONE) === 0) {
    const result = Atomics.waitAsync(info, INFO_GONE, 0);
    if (result.async) await result.value;
  }
}

/** How a worker ended: its exit code, and the error that killed it if any. */
export interface WorkerExit {
  code: number;
  error: unknown;
}

const live = new Set<Worker>();

/**
 * The workers started here that have not exited yet (the test preload
 * fails a test that leaves one behind).
 */
export function liveWorkers(): ReadonlySet<Worker> {
  return live;
}

/** Starts a worker thread running `entry` (a module URL) with `data`. */
export function startWorker(
  entry: URL,
  data: unknown,
  options: {
    name?: string | undefined;
    ref?: boolean;
    resourceLimits?: ResourceLimits;
  } = {},
): { worker: Worker; exited: Promise<WorkerExit> } {
  const source = `import(${JSON.stringify(entry.href)});`;
  const worker = new Worker(
    new URL(`data:text/javascript,${encodeURIComponent(source)}`),
    {
      workerData: data,
      name: options.name,
      // Never left out: without it, a worker that runs out of memory takes
      // the whole process down.
      resourceLimits: options.resourceLimits ?? {},
      // deno-lint-ignore no-explicit-any
    } as any,
  );
  if (options.ref === false) worker.unref();
  live.add(worker);
  let error: unknown = undefined;
  // An uncaught error arrives as `error`, then `exit`; without a listener it
  // would be thrown in this thread.
  worker.on("error", (reason: unknown) => error = reason);
  const exited = new Promise<WorkerExit>((resolve) => {
    worker.once("exit", (code: number) => {
      live.delete(worker);
      resolve({ code, error });
    });
  });
  return { worker, exited };
}
