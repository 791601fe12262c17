// What the pools reach of the primitives' insides, in one place: the heap a
// worker adopts, thread ids, the futex driver (the pool's doorbell, and the
// wait guard of a worker whose task was stopped), handles and the codec
// (what a task's arguments and results travel as), and what happens to a
// thread's share of the heap when it is gone; and the blocking sockets of a
// Manager proxy's Sync methods. Nothing else outside
// primitives/ imports their private files.

import "./_codec_clone.ts"; // node:v8 for the codec
export {
  CLONE_WITH_PRIMITIVES,
  decode,
  encode,
  encodeBehind,
  type Encoded,
} from "./_codec.ts";
export { runAsync, setWaitGuard, type Steps, wake } from "./_futex.ts";
export {
  closeDescriptor,
  connectSocket,
  receive,
  sendAll,
  shutdownSocket,
} from "./_ffi.ts";
export { type Handle, handleOf, isHandle, revive } from "./_handle.ts";
export { adoptHeap, heap, heapRef } from "./_heap.ts";
export { type MemoryRef, sharesWithProcesses } from "./_memory.ts";
export { putEncoded, type QueueHandle } from "./_queue_core.ts";
export { reapProcess, reapThread } from "./_reap.ts";
export { releaseAll } from "./_refs.ts";
export { adoptIdent, getIdent, reserveIdent } from "./_thread.ts";
