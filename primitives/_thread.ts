// Thread identity. Every thread (the main one and each worker) gets a
// distinct non-zero id, so that RLock knows its owner and a lock held by a
// dead worker can be found. Ids come from a counter in a "runtime"
// SharedArrayBuffer that travels inside every handle: a worker that receives
// any primitive adopts its parent's counter before it takes an id.

const RUNTIME_MAGIC = 0x50524e54; // "PRNT"
/** Ids must fit in 30 bits: a lock word stores `id << 1 | contended`. */
export const MAX_THREAD_ID = 0x3fffffff;

let runtime: SharedArrayBuffer | undefined;
let id = 0;

function isWorker(): boolean {
  // deno-lint-ignore no-explicit-any
  const scope = (globalThis as any).WorkerGlobalScope;
  return typeof scope === "function" && globalThis instanceof scope;
}

/** The shared counter this thread takes ids from, created on first use. */
export function runtimeBuffer(): SharedArrayBuffer {
  if (runtime === undefined) {
    runtime = new SharedArrayBuffer(8);
    const words = new Int32Array(runtime);
    words[0] = RUNTIME_MAGIC;
    // A worker that never received its parent's counter starts far from it,
    // at a random point, so that its ids cannot meet the main thread's.
    words[1] = isWorker()
      ? 0x100000 + Math.floor(Math.random() * 0x3fe00000)
      : 0;
  }
  return runtime;
}

/** Adopts a parent's counter, if this thread has not taken an id yet. */
export function adoptRuntime(buffer: unknown): void {
  if (id !== 0 || runtime !== undefined) return;
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength !== 8) return;
  const words = new Int32Array(buffer);
  if (Atomics.load(words, 0) === RUNTIME_MAGIC) runtime = buffer;
}

/**
 * Returns the id of the calling thread: a positive integer, distinct for the
 * main thread and each worker that uses this module, and stable for the
 * thread's life. It is Python's `threading.get_ident()`.
 *
 * @returns The calling thread's id.
 *
 * @example The id is stable within a thread
 * ```ts
 * import { getIdent } from "@parallel/parallel";
 * import { ok, strictEqual } from "node:assert/strict";
 *
 * ok(getIdent() > 0);
 * strictEqual(getIdent(), getIdent());
 * ```
 */
export function getIdent(): number {
  if (id === 0) {
    const words = new Int32Array(runtimeBuffer());
    id = (Atomics.add(words, 1, 1) % MAX_THREAD_ID) + 1;
  }
  return id;
}
