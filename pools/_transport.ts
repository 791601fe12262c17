// The one place that starts worker threads, for the pool and for Thread.
//
// They are `node:worker_threads` Workers, not Web Workers (DESIGN.md has the
// measured table): Deno 2.9.6 tells a parent nothing when a Web Worker calls
// `self.close()` or `Deno.exit()`, and cannot terminate a Web Worker that is
// blocked in Atomics.wait or a loop; a `node:worker_threads` Worker emits
// `exit` with a code in every case, stops at once on `terminate()`, and can
// be unref'd (daemon threads, idle pools). It only loads `file:` and `data:`
// URLs, so it starts from a `data:` module that imports the real entry: that
// works for a `file:` entry and for the `https:` one of a JSR package.

import { Worker } from "node:worker_threads";
import type { Handle } from "../primitives/_handle.ts";
import type { QueueHandle } from "../primitives/_queue_core.ts";

/** Words of a worker's info block: its thread id, and whether it is ready. */
export const INFO_IDENT = 0;
export const INFO_READY = 1;

/** What a pool worker receives (`_worker.ts`). */
export interface WorkerData {
  /** The program's shared heap, adopted before anything else. */
  heap: SharedArrayBuffer;
  /** The URL of the module whose exports are the named tasks. */
  module: string | undefined;
  /** Runs once before the first task (an export's name or a function's source). */
  initializer: { target: string; args: unknown[] } | undefined;
  requests: QueueHandle;
  responses: QueueHandle;
  /** One word per dispatch slot: 0 queued, 1 claimed by the worker, 2 cancelled. */
  claims: Int32Array;
  /** [thread id, ready]. */
  info: Int32Array;
  /** The pool's doorbell (`_bell.ts`). */
  bell: Int32Array;
}

/** What a Thread's worker receives (`_thread_worker.ts`). */
export interface ThreadData {
  /** The program's shared heap, adopted first. */
  heap: SharedArrayBuffer;
  /** The thread id reserved for it. */
  ident: number;
  /** The thread's name, for messages. */
  name: string;
  /** The module of an export target, or undefined for a function. */
  module: string | undefined;
  /** The export's name, or the function's source. */
  source: string;
  /**
   * The argument list: in a SimpleQueue, or as a message (`_wire.ts`) when
   * the queue cannot carry it.
   */
  args: { queue: QueueHandle } | { message: unknown };
  /** Set when the target has returned or thrown (an Event). */
  finished: Handle;
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
  options: { name?: string; ref?: boolean } = {},
): { worker: Worker; exited: Promise<WorkerExit> } {
  const source = `import(${JSON.stringify(entry.href)});`;
  const worker = new Worker(
    new URL(`data:text/javascript,${encodeURIComponent(source)}`),
    // deno-lint-ignore no-explicit-any
    { workerData: data, name: options.name } as any,
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
