// The globals of a pool's or a Thread's worker, made those that code written
// for a Deno Worker expects: a `node:worker_threads` Worker under Deno 2.9.6
// has `name`, `close()` and `postMessage()`, but no `self`.

/** Gives the worker's global scope the names a Deno Worker's has. */
export function useWorkerGlobals(): void {
  if (!("self" in globalThis)) {
    Object.defineProperty(globalThis, "self", {
      value: globalThis,
      writable: true,
      configurable: true,
    });
  }
}
