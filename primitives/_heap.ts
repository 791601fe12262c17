// The shared heap: one growable SharedArrayBuffer per program, from which
// every primitive takes its words. Because all of them live in one buffer
// that every thread holds, a primitive can be named by a number (its offset)
// and so travel inside the bytes of a queue, where a SharedArrayBuffer
// cannot. A thread adopts its parent's heap with the first handle it
// receives; the heap also holds the counter that thread ids come from.
//
// Words of the header: [magic, next thread id, top (bytes used), heap id,
// first mutex, first condition]. The mutexes and the conditions form lists
// (`_mutex.ts`, `_condvar.ts`), so that the locks a dead worker held, and
// the waiter slots it took, can be found.
// Memory is taken by bumping `top` and is never given back: primitives are
// small (12 bytes for a Lock, about 1 KiB for a Condition) and live as long
// as any thread may use them, which no thread can know.

const MAGIC = 0x50484550; // "PHEP"
export const IDS = 1;
const TOP = 2;
const HEAP_ID = 3;
export const MUTEXES = 4;
export const CONDVARS = 5;
const HEADER_BYTES = 24;
const INITIAL_BYTES = 64 * 1024;
const MAX_BYTES = 1024 * 1024 * 1024;
/** Every allocation starts on an 8-byte boundary (for Float64Array views). */
const ALIGN = 8;

let current: SharedArrayBuffer | undefined;
const known = new Map<number, SharedArrayBuffer>();

function isWorker(): boolean {
  // deno-lint-ignore no-explicit-any
  const scope = (globalThis as any).WorkerGlobalScope;
  return typeof scope === "function" && globalThis instanceof scope;
}

/** The header words of a heap. */
export function header(buffer: SharedArrayBuffer): Int32Array {
  return new Int32Array(buffer, 0, HEADER_BYTES / 4);
}

/** Whether a buffer is a heap of this module. */
function isHeap(buffer: unknown): buffer is SharedArrayBuffer {
  return buffer instanceof SharedArrayBuffer && buffer.growable &&
    buffer.byteLength >= HEADER_BYTES &&
    Atomics.load(header(buffer), 0) === MAGIC;
}

/** This thread's heap, created on first use. */
export function heap(): SharedArrayBuffer {
  if (current === undefined) {
    const buffer = new SharedArrayBuffer(INITIAL_BYTES, {
      maxByteLength: MAX_BYTES,
    });
    const words = header(buffer);
    words[0] = MAGIC;
    words[TOP] = HEADER_BYTES;
    words[HEAP_ID] = 1 + Math.floor(Math.random() * 0x7ffffffe);
    // A worker that made its own heap before it heard from its parent
    // starts its thread ids far from the parent's, at a random point.
    words[IDS] = isWorker()
      ? 0x100000 + Math.floor(Math.random() * 0x3fe00000)
      : 0;
    current = buffer;
    known.set(words[HEAP_ID], buffer);
  }
  return current;
}

/**
 * Learns a heap from a handle; a thread that has no heap yet (and so no
 * thread id) makes it its own.
 */
export function adoptHeap(buffer: SharedArrayBuffer): void {
  if (!isHeap(buffer)) return;
  known.set(heapId(buffer), buffer);
  current ??= buffer;
}

/** The id of a heap, which names it inside encoded bytes. */
export function heapId(buffer: SharedArrayBuffer): number {
  return Atomics.load(header(buffer), HEAP_ID);
}

/** A heap this thread has seen, by id. */
export function heapById(id: number): SharedArrayBuffer | undefined {
  return known.get(id);
}

/** Takes `bytes` zeroed bytes of this thread's heap, growing it if need be. */
export function allocate(
  bytes: number,
): { buffer: SharedArrayBuffer; byteOffset: number } {
  const buffer = heap();
  const words = header(buffer);
  const size = Math.ceil(bytes / ALIGN) * ALIGN;
  // Take the bytes only if they fit: a failed allocation changes nothing
  // (an unconditional add would creep `top` past the end, wrap it around,
  // and hand out memory that live primitives use).
  let byteOffset = Atomics.load(words, TOP);
  for (;;) {
    if (size > MAX_BYTES - byteOffset) {
      throw new RangeError(
        `Cannot allocate ${bytes} bytes: the shared heap is full (${MAX_BYTES} bytes)`,
      );
    }
    const seen = Atomics.compareExchange(
      words,
      TOP,
      byteOffset,
      byteOffset + size,
    );
    if (seen === byteOffset) break;
    byteOffset = seen;
  }
  const end = byteOffset + size;
  while (buffer.byteLength < end) {
    try {
      buffer.grow(Math.min(MAX_BYTES, Math.max(end, 2 * buffer.byteLength)));
    } catch {
      // Another thread grew it meanwhile (a SharedArrayBuffer cannot
      // shrink, so its smaller request failed); look again.
    }
  }
  return { buffer, byteOffset };
}
