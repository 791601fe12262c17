// The worker side of a worker thread's life (a pool's worker or a Thread):
// how it tells its parent that it has ended by itself (having closed the
// sockets it made outside Deno: `_thread_sockets.ts`), and how it notices
// that it ran out of memory.
//
// A parent cannot learn from the `exit` event alone that a thread has
// stopped: in Deno 2.9.6, `terminate()` emits `exit` at once while the
// thread's JavaScript runs on. So every way a thread ends by itself marks
// INFO_GONE first, and only a marked thread (or one that died without being
// terminated) has its locks and waiter slots reclaimed (ARCHITECTURE.md,
// "Worker deaths").
//
// Out of memory: with `resourceLimits`, Deno ends a worker that reaches its
// heap limit, but when the limit is reached inside a promise reaction, the
// engine's termination is swallowed and the worker lives on with the task
// lost and its promise pending forever, or exits with code 0 (measured in
// Deno 2.9.6). In every case the engine has raised the heap limit to let
// the termination through, and the thread's JavaScript still runs: a timer
// that watches the limit ends the thread, saying why.

import process from "node:process";
import { getHeapStatistics } from "node:v8";
import { releaseAll } from "../primitives/_internals.ts";
import { INFO_GONE, INFO_OUT_OF_MEMORY } from "./_transport.ts";
import { adoptSocketInfo, closeOwnSockets } from "./_thread_sockets.ts";

/** How often (ms) a worker looks at its heap limit. */
const MEMORY_CHECK_MS = 50;

const exit: (code: number) => never = Deno.exit;
let info: Int32Array | undefined;
let onEnd: (() => void) | undefined;

/**
 * Starts a worker's life: every way its code can end the thread marks the
 * thread gone (and runs `ended`, such as setting a Thread's `finished`
 * event) first, and the heap watch begins.
 */
export function beginLife(words: Int32Array, ended?: () => void): void {
  info = words;
  onEnd = ended;
  adoptSocketInfo(words);
  Deno.exit = ((code?: number) => end(code ?? 0)) as typeof Deno.exit;
  process.exit = ((code?: number) => end(code ?? 0)) as typeof process.exit;
  // deno-lint-ignore no-explicit-any
  const scope = globalThis as any;
  if (typeof scope.close === "function") {
    const close = scope.close;
    scope.close = () => {
      markGone();
      close();
    };
  }
  const limit = getHeapStatistics().heap_size_limit;
  setInterval(() => {
    if (getHeapStatistics().heap_size_limit > limit) {
      Atomics.store(words, INFO_OUT_OF_MEMORY, 1);
      end(1);
    }
  }, MEMORY_CHECK_MS);
}

function markGone(): void {
  onEnd?.();
  onEnd = undefined;
  closeOwnSockets();
  if (info !== undefined) Atomics.store(info, INFO_GONE, 1);
}

/**
 * Ends this thread with `code`, marked gone, having let go of its share of
 * the heap (its objects will never be collected now).
 */
export function end(code: number): never {
  markGone();
  releaseAll();
  return exit(code);
}
