// Memory that processes share, as this thread sees it: segments of unnamed
// files (`_ffi.ts`), their windows, and when they go (ARCHITECTURE.md,
// "Memory processes share"). `_memory.ts` decides when to use them.
//
// A file holds one segment or several (a queue's store has two, so that it
// costs one descriptor), each at a page boundary: a 64-byte header [magic,
// logical length, id, owner block, owner generation, windowed], then its
// bytes. A segment is mapped at its largest size once (pages are taken only
// when touched); its logical length, the `byteLength` a growable
// SharedArrayBuffer would have, lives in its header, so that a process sees
// what another one grew. It is seen as an ArrayBuffer of that largest size,
// or, if windowed, of what it has grown to, made larger by `windowOf` as it
// grows: V8 counts an ArrayBuffer over outside memory as memory taken and
// collects garbage after each one of hundreds of megabytes (2 ms each), so a
// queue made in a loop would cost that every time.
//
// A segment goes when the primitive that owns it is freed (its heap block,
// which `bindSegment` records, changes generation). A thread unmaps its
// mapping once its ArrayBuffer is collected. The descriptor that others
// open the file through stays open while the owner lives (a handle may be
// on its way), as an orphan, and a later sweep closes it once the owner is
// gone.

import {
  bufferOf,
  closeDescriptor,
  createDescriptor,
  mapDescriptor,
  type Mapping,
  openDescriptor,
  unmap,
} from "./_ffi.ts";

/**
 * A segment as it travels to another thread or process, which maps it
 * again from the descriptor `fd` of process `pid`.
 */
export interface SegmentRef {
  /** A random id, the same in every process that maps the segment. */
  readonly segment: number;
  /** A process that holds the segment's file open. */
  readonly pid: number;
  /** The file's descriptor in process `pid`. */
  readonly fd: number;
  /** Where the segment's header starts in the file (a page boundary). */
  readonly offset: number;
  /** The usable bytes, past the segment's header. */
  readonly bytes: number;
}

const SEGMENT_MAGIC = 0x50534547; // "PSEG"
const HEADER_BYTES = 64;
const MAGIC = 0;
const LENGTH = 1; // the logical byte length
const ID = 2;
const OWNER = 3; // the word index of the owner's heap block, 0 for none
const OWNER_GENERATION = 4;
const WINDOWED = 5; // 1 if seen through windows
/** How many threads (of any process) sleep in the futex on its words. */
export const SLEEPERS = 6;
const PAGE_BYTES = 4096;

/** A descriptor this thread holds, and how many of its segments use it. */
interface Descriptor {
  readonly fd: number;
  users: number;
}

interface Segment {
  readonly ref: SegmentRef;
  readonly mapping: Mapping;
  readonly header: Int32Array;
  /** What this thread was first given, which names the segment here. */
  readonly data: ArrayBuffer;
  /** The largest window made yet (`data` if not windowed). */
  window: ArrayBuffer;
}

/** What is left of a segment once this thread's ArrayBuffer is collected. */
interface Leftover {
  readonly mapping: Mapping;
  /** Over the first page, which stays mapped while the file is an orphan. */
  readonly header: Int32Array;
  /** The descriptor others open the file through, if this thread holds it. */
  readonly descriptor: Descriptor | undefined;
}

/** Segments this thread has mapped, by each of their windows and by id. */
const segments = new WeakMap<ArrayBuffer, Segment>();
const byId = new Map<number, WeakRef<Segment>>();
const collected = new FinalizationRegistry<Leftover>(release);
/** Descriptors held for owners that were alive when last looked at. */
const orphans: Leftover[] = [];
let cursor = 0;
/** Descriptors this thread keeps open for segments not yet collected. */
let kept = 0;
/**
 * The most it keeps: past them, a new one is refused with a clear error
 * before the process runs out (20,000 here) and Deno itself fails.
 */
const MAX_KEPT = 8192;
let ownerAlive: (block: number, generation: number) => boolean = () => true;

function headerOf(mapping: Mapping): Int32Array {
  return new Int32Array(bufferOf(mapping, 0, HEADER_BYTES));
}

function remember(
  ref: SegmentRef,
  mapping: Mapping,
  descriptor: Descriptor | undefined,
  header: Int32Array,
): Segment {
  const data = bufferOf(
    mapping,
    HEADER_BYTES,
    Atomics.load(header, WINDOWED) === 1
      ? Atomics.load(header, LENGTH)
      : ref.bytes,
  );
  const segment: Segment = { ref, mapping, header, data, window: data };
  segments.set(data, segment);
  byId.set(ref.segment, new WeakRef(segment));
  // A header of its own: the segment's would keep the data alive.
  collected.register(data, { mapping, header: headerOf(mapping), descriptor });
  return segment;
}

function ownerGone(header: Int32Array): boolean {
  const block = Atomics.load(header, OWNER);
  return block === 0 ||
    !ownerAlive(block, Atomics.load(header, OWNER_GENERATION));
}

/** This thread's ArrayBuffer of a segment was collected. */
function release(leftover: Leftover): void {
  const { mapping, header, descriptor } = leftover;
  const id = Atomics.load(header, ID);
  if (byId.get(id)?.deref() === undefined) byId.delete(id);
  if (descriptor !== undefined && --descriptor.users === 0) {
    if (ownerGone(header)) {
      closeDescriptor(descriptor.fd);
      kept--;
      unmap(mapping);
    } else {
      unmap(mapping, PAGE_BYTES);
      orphans.push(leftover);
    }
  } else {
    unmap(mapping);
  }
  sweep();
}

/**
 * Closes the descriptors of orphans whose owners are gone, looking at a few
 * each time a file is made or a segment collected: orphans cannot pile up
 * faster than they are looked at.
 */
function sweep(): void {
  for (let looked = 0; looked < 4 && orphans.length > 0; looked++) {
    cursor %= orphans.length;
    const { mapping, header, descriptor } = orphans[cursor]!;
    if (!ownerGone(header)) {
      cursor++;
      continue;
    }
    closeDescriptor(descriptor!.fd);
    kept--;
    // Only the first page is still mapped: `release` unmapped the rest, and
    // the system may have put something else there since.
    unmap(mapping, 0, PAGE_BYTES);
    orphans[cursor] = orphans[orphans.length - 1]!;
    orphans.pop();
  }
}

/**
 * Tells this module how to know whether a heap block still holds the
 * primitive of a generation (`_heap.ts` does, once).
 */
export function checkOwnersWith(
  alive: (block: number, generation: number) => boolean,
): void {
  ownerAlive = alive;
}

/**
 * Makes the primitive of heap block `block` (at `generation`) the owner of
 * a segment: its file goes once the block is freed. Without an owner, a
 * segment lives as long as its creator's ArrayBuffer (the heap).
 */
export function bindSegment(
  data: ArrayBuffer,
  block: number,
  generation: number,
): void {
  const { header } = segments.get(data)!;
  Atomics.store(header, OWNER_GENERATION, generation);
  Atomics.store(header, OWNER, block);
}

/** Sizes of a segment: what it holds at first, and at most. */
export type SegmentSize = readonly [bytes: number, maxBytes: number];

/**
 * New zeroed segments of the given sizes in one file (one descriptor),
 * seen through windows if `windowed`.
 */
export function createSegments(
  sizes: readonly SegmentSize[],
  windowed: boolean,
): ArrayBuffer[] {
  const offsets: number[] = [];
  let end = 0;
  for (const [, maxBytes] of sizes) {
    offsets.push(end);
    end += Math.ceil((HEADER_BYTES + maxBytes) / PAGE_BYTES) * PAGE_BYTES;
  }
  sweep();
  if (kept >= MAX_KEPT) {
    throw new RangeError(
      `Cannot make memory that processes share: this thread keeps ${kept} descriptors open for primitives that are not collected yet (each queue or array holds one until it is collected); make fewer at once`,
    );
  }
  const fd = createDescriptor(end);
  kept++;
  const descriptor: Descriptor = { fd, users: 0 };
  const mappings: Mapping[] = [];
  try {
    sizes.forEach(([, maxBytes], i) =>
      mappings.push(mapDescriptor(fd, offsets[i]!, HEADER_BYTES + maxBytes))
    );
  } catch (error) {
    mappings.forEach((mapping) => unmap(mapping));
    closeDescriptor(fd);
    kept--;
    throw error;
  }
  return sizes.map(([bytes, maxBytes], i) => {
    const mapping = mappings[i]!;
    const ref: SegmentRef = Object.freeze({
      segment: 1 + Math.floor(Math.random() * 0x7ffffffe),
      pid: Deno.pid,
      fd,
      offset: offsets[i]!,
      bytes: maxBytes,
    });
    const header = headerOf(mapping);
    Atomics.store(header, LENGTH, bytes);
    Atomics.store(header, ID, ref.segment);
    Atomics.store(header, WINDOWED, windowed ? 1 : 0);
    Atomics.store(header, MAGIC, SEGMENT_MAGIC);
    descriptor.users++;
    return remember(ref, mapping, descriptor, header).data;
  });
}

/**
 * A buffer over all that a segment has grown to, in this thread or another
 * (its first one, unless it is windowed and grew).
 */
export function windowOf(data: ArrayBuffer): ArrayBuffer {
  const segment = segments.get(data)!;
  const length = Atomics.load(segment.header, LENGTH);
  if (segment.window.byteLength >= length) return segment.window;
  const window = bufferOf(
    segment.mapping,
    HEADER_BYTES,
    Math.min(
      segment.ref.bytes,
      Math.max(length, 2 * segment.window.byteLength),
    ),
  );
  segments.set(window, segment);
  segment.window = window;
  return window;
}

/**
 * The header of the segment `buffer` is a window of, whose SLEEPERS word
 * counts the threads asleep in the futex on its words; undefined for
 * memory that is not a segment.
 */
export function sleepersOf(buffer: ArrayBufferLike): Int32Array | undefined {
  return segments.get(buffer as ArrayBuffer)?.header;
}

/** Whether `buffer` is a window of a segment this thread has mapped. */
export function isSegment(buffer: unknown): buffer is ArrayBuffer {
  return buffer instanceof ArrayBuffer && segments.has(buffer);
}

/** The segment's logical length and the most it can grow to. */
export function segmentLength(data: ArrayBuffer): [number, number] {
  const { header, ref } = segments.get(data)!;
  return [Atomics.load(header, LENGTH), ref.bytes];
}

/**
 * Grows a segment to `bytes`, as `SharedArrayBuffer.prototype.grow`.
 *
 * @throws {RangeError} If it is already longer, or cannot grow so far.
 */
export function growSegment(data: ArrayBuffer, bytes: number): void {
  const { header, ref } = segments.get(data)!;
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

/** How a segment travels. */
export function segmentRef(data: ArrayBuffer): SegmentRef {
  return segments.get(data)!.ref;
}

/** Whether a value is what `segmentRef` gives (without mapping it). */
export function isSegmentRef(value: unknown): value is SegmentRef {
  if (typeof value !== "object" || value === null) return false;
  const { segment, pid, fd, offset, bytes } = value as Partial<SegmentRef>;
  return Number.isInteger(segment) && Number.isInteger(pid) &&
    Number.isInteger(fd) && Number.isInteger(offset) && offset! >= 0 &&
    offset! % PAGE_BYTES === 0 && Number.isInteger(bytes) && bytes! >= 0;
}

/**
 * The first window of the segment `ref` names, mapped on first sight.
 *
 * @throws {TypeError} If it cannot be mapped here.
 */
export function openSegment(ref: SegmentRef): ArrayBuffer {
  const known = byId.get(ref.segment)?.deref();
  if (known !== undefined) return known.data;
  const size = HEADER_BYTES + ref.bytes;
  const fd = openDescriptor(ref.pid, ref.fd, ref.offset + size);
  let mapping: Mapping;
  try {
    mapping = mapDescriptor(fd, ref.offset, size);
  } catch (error) {
    closeDescriptor(fd);
    throw error;
  }
  const header = headerOf(mapping);
  if (
    Atomics.load(header, MAGIC) !== SEGMENT_MAGIC ||
    Atomics.load(header, ID) !== ref.segment
  ) {
    closeDescriptor(fd);
    unmap(mapping);
    throw new TypeError(
      `Cannot open memory shared by process ${ref.pid}: its descriptor ${ref.fd} does not hold the segment ${ref.segment}`,
    );
  }
  // Another thread of this process: the process holds the descriptor
  // already. Another process: this one keeps its own, to hand on.
  if (ref.pid === Deno.pid) {
    closeDescriptor(fd);
    return remember(ref, mapping, undefined, header).data;
  }
  kept++;
  return remember(
    Object.freeze({ ...ref, pid: Deno.pid, fd }),
    mapping,
    { fd, users: 1 },
    header,
  ).data;
}
