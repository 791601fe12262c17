// The Threads this JavaScript thread has started and that have not yet
// finished, for enumerateThreads() and activeThreadCount(). Python keeps
// one such table per process; a Thread object cannot leave the thread that
// made it, so here each thread (the main one, or a Worker) keeps its own.

import type { Thread } from "./thread.ts";

const live = new Set<Thread>();

/** Notes that `thread` has started. */
export function trackThread(thread: Thread): void {
  live.add(thread);
}

/** Notes that `thread` has finished. */
export function untrackThread(thread: Thread): void {
  live.delete(thread);
}

/** The started Threads that are still alive, in the order they started. */
export function liveThreads(): Thread[] {
  return [...live].filter((thread) => thread.isAlive);
}
