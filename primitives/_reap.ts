// What happens to the shared state of a thread that is gone: the locks it
// held are marked abandoned (the next acquirer learns it) and the waiter
// slots it took in conditions are freed (a wake-up it was given goes to the
// next waiter), so that no other thread waits for it forever. Called by the
// pools and Thread only once a thread is known to have stopped
// (ARCHITECTURE.md, "Worker deaths").
//
// The reaper walks the blocks of the heap in use (`walkBlocks`): the cost
// follows what the program holds now, not what it ever made.

import { heap, identsOf, walkBlocks } from "./_heap.ts";
import type { Layout } from "./_handle.ts";

/**
 * How to take back a dead thread's share of a primitive, per kind (by its
 * magic word): given a view of the heap, the word index where the
 * primitive's words start and end, and the thread's id.
 */
type Reaper = (
  all: Int32Array,
  base: number,
  end: number,
  ident: number,
) => void;

const reapers = new Map<number, Reaper>();

/** Records how to reap the primitives of a layout. */
export function registerReaper(layout: Layout, reap: Reaper): void {
  reapers.set(layout.magic, reap);
}

/**
 * Frees what thread `ident` held in this thread's heap; `ident` must be the
 * id of a thread that can no longer run.
 */
export function reapThread(ident: number): void {
  const visitors = new Map<
    number,
    (all: Int32Array, base: number, end: number) => void
  >();
  for (const [magic, reap] of reapers) {
    visitors.set(magic, (all, base, end) => reap(all, base, end, ident));
  }
  walkBlocks(heap(), visitors);
}

/**
 * Frees what the threads of process `pid`, which has ended, held: its main
 * thread `ident`, and the threads it started (its Workers, whose ids it
 * recorded as its own).
 */
export function reapProcess(pid: number, ident: number): void {
  reapThread(ident);
  for (const each of identsOf(pid)) if (each !== ident) reapThread(each);
}
