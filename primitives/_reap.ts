// What happens to the shared state of a thread that is gone: the locks it
// held are marked abandoned (the next acquirer learns it) and the waiter
// slots it took in conditions are freed (a wake-up it was given goes to the
// next waiter), so that no other thread waits for it forever. Called by the pools and Thread only once a
// thread is known to have stopped (ARCHITECTURE.md, "Worker deaths").

import { releaseWaiters } from "./_condvar.ts";
import { markAbandoned } from "./_mutex.ts";

/**
 * Frees what thread `ident` held in this thread's heap; `ident` must be the
 * id of a thread that can no longer run.
 */
export function reapThread(ident: number): void {
  markAbandoned(ident);
  releaseWaiters(ident);
}
