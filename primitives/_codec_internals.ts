// The codec alone, for a ProcessPool's child (`pools/_process_worker.ts`)
// and what it shares with its parent (`pools/_process_wire.ts`): importing
// `_internals.ts` loads every primitive, which adds about 8 ms to the start
// of each child (measured: 19 against 11 ms of imports). The rest of pools/
// goes through `_internals.ts`.

export {
  CLONE_WITH_PRIMITIVES,
  decode,
  encode,
  type Encoded,
  needsV8,
  V8NotLoaded,
} from "./_codec.ts";
export { adoptHeap, heap } from "./_heap.ts";
export { adoptIdent } from "./_thread.ts";
export type { MemoryRef } from "./_memory.ts";
