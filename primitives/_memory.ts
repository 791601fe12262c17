// Where the shared memory of primitives comes from: the one place that
// decides between memory that the threads of this process share (a
// SharedArrayBuffer) and memory that processes share (a segment: an unnamed
// mapping, `_ffi.ts`), and that describes either for the trip to another
// thread or process (ARCHITECTURE.md, "Memory processes share").
//
// A program granted --allow-ffi on Linux makes every buffer a segment, so
// that any primitive it makes can be passed to a Process later, as in
// Python; any other program uses SharedArrayBuffers and never loads FFI.
//
// A segment is memory that processes share, and `_segment.ts` keeps them.

import {
  bindSegment,
  checkOwnersWith,
  createSegments,
  growSegment,
  isSegment,
  isSegmentRef,
  openSegment,
  segmentLength,
  type SegmentRef,
  segmentRef,
  type SegmentSize,
  windowOf,
} from "./_segment.ts";

export { checkOwnersWith, isSegment, type SegmentRef };

/** Memory that threads share, or memory that processes share. */
export type SharedMemory = SharedArrayBuffer | ArrayBuffer;

/** What a handle carries for its memory: itself, or how to find it. */
export type MemoryRef = SharedArrayBuffer | SegmentRef;

let shared: boolean | undefined;

/**
 * Whether this thread makes memory that processes can share: on Linux,
 * with --allow-ffi granted (asked once, without a prompt).
 */
export function sharesWithProcesses(): boolean {
  shared ??= Deno.build.os === "linux" &&
    Deno.permissions.querySync({ name: "ffi" }).state === "granted";
  return shared;
}

/**
 * New zeroed shared memory of `bytes`, growable up to `maxBytes` when given
 * (as `new SharedArrayBuffer(bytes, { maxByteLength })`).
 */
export function newMemory(bytes: number, maxBytes?: number): SharedMemory {
  if (!sharesWithProcesses()) {
    return maxBytes === undefined
      ? new SharedArrayBuffer(bytes)
      : new SharedArrayBuffer(bytes, { maxByteLength: maxBytes });
  }
  return createSegments([[bytes, maxBytes ?? bytes]], false)[0]!;
}

/**
 * New zeroed growable shared memories of the given sizes, which cost one
 * descriptor in all when processes share them. Each is seen through
 * windows: use `memoryBuffer` for what it has grown to.
 */
export function newMemories(sizes: readonly SegmentSize[]): SharedMemory[] {
  if (!sharesWithProcesses()) {
    return sizes.map(([bytes, maxByteLength]) =>
      new SharedArrayBuffer(bytes, { maxByteLength })
    );
  }
  return createSegments(sizes, true);
}

/**
 * A buffer over all that `buffer` has grown to, in this thread or another
 * (`buffer` itself, unless it is a windowed segment that grew).
 */
export function memoryBuffer(buffer: SharedMemory): SharedMemory {
  return buffer instanceof SharedArrayBuffer ? buffer : windowOf(buffer);
}

/**
 * Makes the primitive of heap block `block` (at `generation`) the owner of
 * `buffer`, memory of its own: memory that processes share goes once the
 * block is freed. SharedArrayBuffers need nothing.
 */
export function bindMemory(
  buffer: SharedMemory,
  block: number,
  generation: number,
): void {
  if (isSegment(buffer)) bindSegment(buffer, block, generation);
}

/**
 * Whether `buffer` is shared memory of this module's kind: growable (as a
 * heap or a queue's store is) or not.
 */
export function isMemory(buffer: unknown, growable: boolean): boolean {
  if (buffer instanceof SharedArrayBuffer) return buffer.growable === growable;
  if (!isSegment(buffer)) return false;
  const [length, most] = segmentLength(buffer);
  return growable || length === most;
}

/** The byte length of shared memory (what it has grown to). */
export function memoryLength(buffer: SharedMemory): number {
  if (buffer instanceof SharedArrayBuffer) return buffer.byteLength;
  return segmentLength(buffer)[0];
}

/**
 * Grows shared memory to `bytes`, as `SharedArrayBuffer.prototype.grow`.
 *
 * @throws {RangeError} If it is already longer, or cannot grow so far.
 */
export function growMemory(buffer: SharedMemory, bytes: number): void {
  if (buffer instanceof SharedArrayBuffer) return buffer.grow(bytes);
  growSegment(buffer, bytes);
}

/** How shared memory travels: a SharedArrayBuffer as itself. */
export function describeMemory(buffer: SharedMemory): MemoryRef {
  if (buffer instanceof SharedArrayBuffer) return buffer;
  return segmentRef(buffer);
}

/** Whether a value is what `describeMemory` makes (without mapping it). */
export function isMemoryRef(value: unknown): value is MemoryRef {
  return value instanceof SharedArrayBuffer || isSegmentRef(value);
}

/**
 * The memory a handle's field names: a SharedArrayBuffer, or a segment,
 * mapped on first sight; undefined for anything else.
 *
 * @throws {TypeError} If it names a segment that cannot be mapped here.
 */
export function openMemory(ref: unknown): SharedMemory | undefined {
  if (ref instanceof SharedArrayBuffer) return ref;
  if (isSegment(ref)) return ref;
  if (!isSegmentRef(ref)) return undefined;
  if (!sharesWithProcesses()) {
    throw new TypeError(
      `Cannot open memory shared by process ${ref.pid}: ${
        Deno.build.os === "linux"
          ? "this program needs --allow-ffi"
          : `processes share primitives only on Linux, not on ${Deno.build.os}`
      }`,
    );
  }
  return openSegment(ref);
}
