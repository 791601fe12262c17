// Thread identity. Every thread (the main one and each worker) gets a
// distinct non-zero id, so that RLock knows its owner and a lock held by a
// dead worker can be found. Ids come from a counter in the shared heap,
// which a worker adopts with the first handle it receives.

import { heap, IDS, recordOwner } from "./_heap.ts";

/**
 * The largest thread id. Ids must fit in 30 bits (a lock word stores
 * `id << 1 | contended`), and the one above this marks an abandoned lock
 * (`_mutex.ts` defines it from this one).
 */
export const MAX_THREAD_ID = 0x3ffffffe;

let id = 0;

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
  if (id === 0) id = reserveIdent();
  return id;
}

/**
 * Takes a fresh id from the heap's counter, for a thread about to start
 * (so that its id is known before it runs, as Python's `Thread.ident`).
 */
export function reserveIdent(): number {
  const words = new Int32Array(heap(), 0, 4);
  const ident = (Atomics.add(words, IDS, 1) % MAX_THREAD_ID) + 1;
  recordOwner(ident);
  return ident;
}

/**
 * Makes a reserved id this thread's own, before it uses any primitive (in a
 * child process, the id is recorded as this process's).
 */
export function adoptIdent(reserved: number): void {
  id = reserved;
  recordOwner(reserved);
}
