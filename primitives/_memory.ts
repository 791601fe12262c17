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
// A segment is mapped at its largest size once (pages are taken only when
// touched) and seen as an ArrayBuffer of that size; its logical length, the
// `byteLength` a growable SharedArrayBuffer would have, lives in its first
// bytes, so that a process sees what another one grew.

import {
  bufferOf,
  closeDescriptor,
  createMapping,
  type Mapping,
  openMapping,
} from "./_ffi.ts";

/** Memory that threads share, or memory that processes share. */
export type SharedMemory = SharedArrayBuffer | ArrayBuffer;

/**
 * A segment as it travels to another thread or process, which maps it
 * again from the descriptor `fd` of process `pid`.
 */
export interface SegmentRef {
  /** A random id, the same in every process that maps the segment. */
  readonly segment: number;
  /** A process that holds the segment open. */
  readonly pid: number;
  /** The segment's file descriptor in process `pid`. */
  readonly fd: number;
  /** The usable bytes, past the segment's header. */
  readonly bytes: number;
}

/** What a handle carries for its memory: itself, or how to find it. */
export type MemoryRef = SharedArrayBuffer | SegmentRef;

const SEGMENT_MAGIC = 0x50534547; // "PSEG"
const HEADER_BYTES = 64;
const MAGIC = 0;
const LENGTH = 1; // the logical byte length
const ID = 2;

interface Segment {
  readonly ref: SegmentRef;
  readonly header: Int32Array;
  readonly data: ArrayBuffer;
}

/** Segments this thread has mapped, by their data and by id. */
const segments = new WeakMap<ArrayBuffer, Segment>();
const byId = new Map<number, Segment>();

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

function remember(ref: SegmentRef, mapping: Mapping): Segment {
  const segment: Segment = {
    ref,
    header: new Int32Array(bufferOf(mapping, 0, HEADER_BYTES)),
    data: bufferOf(mapping, HEADER_BYTES, ref.bytes),
  };
  segments.set(segment.data, segment);
  byId.set(ref.segment, segment);
  return segment;
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
  const usable = maxBytes ?? bytes;
  const mapping = createMapping(HEADER_BYTES + usable);
  const ref: SegmentRef = Object.freeze({
    segment: 1 + Math.floor(Math.random() * 0x7ffffffe),
    pid: Deno.pid,
    fd: mapping.fd,
    bytes: usable,
  });
  const { header, data } = remember(ref, mapping);
  Atomics.store(header, LENGTH, bytes);
  Atomics.store(header, ID, ref.segment);
  Atomics.store(header, MAGIC, SEGMENT_MAGIC);
  return data;
}

/** Whether `buffer` is memory that processes share. */
export function isSegment(buffer: unknown): buffer is ArrayBuffer {
  return buffer instanceof ArrayBuffer && segments.has(buffer);
}

/**
 * Whether `buffer` is shared memory of this module's kind: growable (as a
 * heap or a queue's store is) or not.
 */
export function isMemory(buffer: unknown, growable: boolean): boolean {
  if (buffer instanceof SharedArrayBuffer) return buffer.growable === growable;
  const segment = buffer instanceof ArrayBuffer
    ? segments.get(buffer)
    : undefined;
  if (segment === undefined) return false;
  return growable || Atomics.load(segment.header, LENGTH) === segment.ref.bytes;
}

/** The byte length of shared memory (what it has grown to). */
export function memoryLength(buffer: SharedMemory): number {
  if (buffer instanceof SharedArrayBuffer) return buffer.byteLength;
  return Atomics.load(segments.get(buffer)!.header, LENGTH);
}

/**
 * Grows shared memory to `bytes`, as `SharedArrayBuffer.prototype.grow`.
 *
 * @throws {RangeError} If it is already longer, or cannot grow so far.
 */
export function growMemory(buffer: SharedMemory, bytes: number): void {
  if (buffer instanceof SharedArrayBuffer) return buffer.grow(bytes);
  const { header, ref } = segments.get(buffer)!;
  if (bytes > ref.bytes) {
    throw new RangeError(
      `Cannot grow shared memory to ${bytes} bytes: it holds ${ref.bytes} at most`,
    );
  }
  for (;;) {
    const length = Atomics.load(header, LENGTH);
    if (bytes < length) {
      throw new RangeError(
        `Cannot shrink shared memory from ${length} to ${bytes} bytes`,
      );
    }
    if (Atomics.compareExchange(header, LENGTH, length, bytes) === length) {
      return;
    }
  }
}

/** How shared memory travels: a SharedArrayBuffer as itself. */
export function describeMemory(buffer: SharedMemory): MemoryRef {
  if (buffer instanceof SharedArrayBuffer) return buffer;
  return segments.get(buffer)!.ref;
}

/** Whether a value is what `describeMemory` makes (without mapping it). */
export function isMemoryRef(value: unknown): value is MemoryRef {
  return value instanceof SharedArrayBuffer || isSegmentRef(value);
}

function isSegmentRef(value: unknown): value is SegmentRef {
  if (typeof value !== "object" || value === null) return false;
  const { segment, pid, fd, bytes } = value as Partial<SegmentRef>;
  return Number.isInteger(segment) && Number.isInteger(pid) &&
    Number.isInteger(fd) && Number.isInteger(bytes) && bytes! >= 0;
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
  const known = byId.get(ref.segment);
  if (known !== undefined) return known.data;
  if (!sharesWithProcesses()) {
    throw new TypeError(
      `Cannot open memory shared by process ${ref.pid}: ${
        Deno.build.os === "linux"
          ? "this program needs --allow-ffi"
          : `processes share primitives only on Linux, not on ${Deno.build.os}`
      }`,
    );
  }
  const mapping = openMapping(ref.pid, ref.fd, HEADER_BYTES + ref.bytes);
  // Another thread of this process: the process holds the descriptor
  // already. Another process: this one keeps its own, to hand on.
  const local = ref.pid === Deno.pid;
  if (local) closeDescriptor(mapping.fd);
  const segment = remember(
    local ? ref : Object.freeze({ ...ref, pid: Deno.pid, fd: mapping.fd }),
    mapping,
  );
  if (
    Atomics.load(segment.header, MAGIC) !== SEGMENT_MAGIC ||
    Atomics.load(segment.header, ID) !== ref.segment
  ) {
    byId.delete(ref.segment);
    throw new TypeError(
      `Cannot open memory shared by process ${ref.pid}: its descriptor ${ref.fd} is not the segment ${ref.segment}`,
    );
  }
  return segment.data;
}
