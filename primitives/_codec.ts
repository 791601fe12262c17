// The one codec: how an item crosses threads as bytes in shared memory, for
// every queue and pipe.
//
// Most traffic is plain data (objects, arrays, strings, numbers, booleans,
// null, undefined), and for it the fast path is a compact binary form of our
// own, PLAIN, written and read by the functions below: one walk of the value
// writes it, with every number as its exact bits and every string as its
// exact code units (one byte each when they all fit), and one walk reads it
// back. That costs about a tenth of a microsecond each way for a small item
// here, where JSON text costs three times as much (JSON.parse alone is
// about 0.2 us) and `node:v8` about 24 us. Everything else that structured
// clone can carry (Map, Set, Date, BigInt, typed arrays, Error, sparse
// arrays, cycles, an object reached twice) goes through `node:v8`'s
// serializer. The primitives of this module travel as references into the
// shared heap and arrive as the same class. A value that cannot be carried
// (a function, a symbol) is a TypeError when it is encoded, before anything
// is enqueued.
//
// Each thread writes its items into one scratch buffer of its own (`written`)
// and reads them from another (`received`), so that a queue holds its lock
// only to copy bytes, and the common case allocates nothing but the value.

import type * as V8 from "node:v8";
import { type Handle, handleOf, revive } from "./_handle.ts";
import { heapById, heapId } from "./_heap.ts";
import { describeMemory, openMemory, type SharedMemory } from "./_memory.ts";
import { quote } from "../internal/options.ts";

/** The payload is PLAIN: this module's binary form of plain data. */
export const PLAIN = 1;
/** The payload is `node:v8` bytes. */
export const CLONE = 2;
/** The payload is `node:v8` bytes with primitives of this module inside. */
export const CLONE_WITH_PRIMITIVES = 3;

/** An encoded item: its tag (PLAIN, CLONE...) and its bytes. */
export interface Encoded {
  readonly tag: number;
  readonly bytes: Uint8Array;
}

/**
 * A thread's scratch buffer: `length` bytes of an item with its `tag`, in
 * `bytes` (also seen as `words`, for copying four bytes at a time). Its
 * length is a multiple of 8, like the records of a store.
 */
export interface Scratch {
  tag: number;
  length: number;
  bytes: Uint8Array;
  words: Int32Array;
  view: DataView;
}

/** A scratch buffer grows to fit any item, then shrinks back past this. */
const KEPT_SCRATCH = 1024 * 1024;
const INITIAL_SCRATCH = 4096;

function scratch(bytes: number): Scratch {
  const buffer = new ArrayBuffer(bytes);
  return {
    tag: 0,
    length: 0,
    bytes: new Uint8Array(buffer),
    words: new Int32Array(buffer),
    view: new DataView(buffer),
  };
}

/** Makes a scratch buffer hold at least `bytes`, keeping its first `keep`. */
function grow(into: Scratch, bytes: number, keep: number): void {
  let size = into.bytes.length * 2;
  while (size < bytes) size *= 2;
  const old = into.bytes;
  const fresh = scratch(size);
  fresh.bytes.set(old.subarray(0, keep));
  into.bytes = fresh.bytes;
  into.words = fresh.words;
  into.view = fresh.view;
}

/** Gives back the memory of a scratch buffer that a large item grew. */
export function trimScratch(into: Scratch): void {
  if (into.bytes.length > KEPT_SCRATCH) {
    const fresh = scratch(INITIAL_SCRATCH);
    into.bytes = fresh.bytes;
    into.words = fresh.words;
    into.view = fresh.view;
  }
}

/** What this thread encoded last, by `encodeToScratch`. */
export const written: Scratch = scratch(INITIAL_SCRATCH);
/**
 * What this thread takes out of a store, to decode with `decodeReceived`
 * (a store makes room for a large item with `reserve`).
 */
export const received: Scratch = scratch(INITIAL_SCRATCH);

// Copies that outlive a call (an item that must wait, a popped record that
// an async get decodes later) are views on a shared slab, the way Node's
// Buffer pool works: a fresh ArrayBuffer costs about 0.2 us here, a view on
// an existing one a fifth of that.
const SLAB_BYTES = 16 * 1024;
/** Larger copies get an ArrayBuffer of their own. */
const SLAB_ITEM_BYTES = 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabWords = new Int32Array(slab);
let slabTop = 0;

/**
 * `length` bytes that no later call hands out again: a view on the slab
 * when they are few, a buffer of their own otherwise.
 */
function fresh(length: number): Uint8Array {
  if (length > SLAB_ITEM_BYTES) return new Uint8Array(length);
  if (slabTop + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabWords = new Int32Array(slab);
    slabTop = 0;
  }
  const bytes = new Uint8Array(slab, slabTop, length);
  slabTop = (slabTop + length + 7) & ~7;
  return bytes;
}

/**
 * A copy of `length` bytes starting at word `from` of `words` (a scratch
 * buffer or a store's arena), which no later copy overwrites.
 */
export function copyWords(
  words: Int32Array,
  from: number,
  length: number,
): Uint8Array {
  const copy = fresh(length);
  if (copy.buffer !== slab) {
    const start = words.byteOffset + from * 4;
    copy.set(new Uint8Array(words.buffer, start, length));
    return copy;
  }
  // Four bytes at a time: the copy's slot on the slab is a multiple of 8.
  const to = copy.byteOffset >> 2;
  for (let i = 0, n = (length + 3) >> 2; i < n; i++) {
    slabWords[to + i] = words[from + i]!;
  }
  return copy;
}

/** Makes `received` hold at least `bytes` bytes. */
export function reserve(bytes: number): void {
  if (bytes > received.bytes.length) grow(received, bytes, 0);
}

/** The key under which a primitive's reference stands in a cloned value. */
const MARK = "\u0000parallel.primitive";
/** Deeper plain data goes through node:v8 (which has no such limit). */
const MAX_PLAIN_DEPTH = 64;

/**
 * node:v8's classes, given by `_codec_clone.ts`, which every user of the
 * codec imports but a ProcessPool's child: it loads them when an item first
 * needs them, since importing node:v8 adds about 7 ms to a process's start
 * (ARCHITECTURE.md, "Processes").
 */
let v8: Pick<typeof V8, "Serializer" | "Deserializer"> | undefined;

/** Gives the codec node:v8's classes (`_codec_clone.ts`). */
export function useV8(classes: NonNullable<typeof v8>): void {
  v8 = classes;
}

/** Whether an item with this tag cannot be decoded until node:v8 is given. */
export function needsV8(tag: number): boolean {
  return tag !== PLAIN && v8 === undefined;
}

/** What encode throws for a non-plain value before node:v8 is given. */
export class V8NotLoaded extends Error {}

function loadedV8(): NonNullable<typeof v8> {
  if (v8 === undefined) throw new V8NotLoaded("node:v8 is not loaded");
  return v8;
}

// node:v8's serialize() and deserialize() treat typed arrays as host
// objects: a decoded view would share Node's Buffer pool (or the payload)
// with other values. The plain Serializer keeps structured clone's meaning.
function serialize(value: unknown): Uint8Array {
  const serializer = new (loadedV8().Serializer)();
  serializer.writeHeader();
  serializer.writeValue(value);
  return serializer.releaseBuffer();
}

function deserialize(bytes: Uint8Array): unknown {
  const deserializer = new (loadedV8().Deserializer)(bytes);
  deserializer.readHeader();
  return deserializer.readValue();
}

// ---------------------------------------------------------------------------
// PLAIN, the binary form. Each value starts with a type byte; numbers are
// little-endian; lengths and counts are 32 bits.
//
//   NULL, UNDEFINED, FALSE, TRUE    nothing more
//   INT32                           4 bytes
//   FLOAT64                         8 bytes (any double: NaN, -0, Infinity)
//   STRING8   length, bytes         every code unit below 0x100
//   STRING16  length, 2 bytes each  any code units
//   ARRAY     count, values         a dense array
//   OBJECT    count, (STRING8 or STRING16 key, value) pairs

const NULL = 0;
const UNDEFINED = 1;
const FALSE = 2;
const TRUE = 3;
const INT32 = 4;
const FLOAT64 = 5;
const STRING8 = 6;
const STRING16 = 7;
const ARRAY = 8;
const OBJECT = 9;

/** The objects met by the current writePlain walk (reused, then cleared). */
const visited = new Set<object>();

/** Where the current writePlain walk writes: `out`, from `at` on. */
let out: Scratch;
let at = 0;

/**
 * Whether Object.prototype has an enumerable property (someone added one):
 * then for-in would see it on every object, and only Object.keys is right.
 * Found out once per item.
 */
let inherited = false;
const EMPTY = {};

function prototypeEnumerates(): boolean {
  for (const _ in EMPTY) return true;
  return false;
}

/** Writes 32 bits, little-endian (a DataView costs more for so few). */
function writeUint32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value;
  bytes[at + 1] = value >> 8;
  bytes[at + 2] = value >> 16;
  bytes[at + 3] = value >> 24;
}

/** Makes room for `bytes` more bytes at `at`. */
function room(bytes: number): void {
  if (at + bytes > out.bytes.length) grow(out, at + bytes, at);
}

function writeString(value: string): void {
  const length = value.length;
  room(5 + 2 * length);
  const bytes = out.bytes;
  const start = at;
  bytes[start] = STRING8;
  writeUint32(bytes, start + 1, length);
  let to = start + 5;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0xff) {
      // Start over with two bytes a code unit.
      bytes[start] = STRING16;
      to = start + 5;
      for (let j = 0; j < length; j++) {
        const unit = value.charCodeAt(j);
        bytes[to++] = unit;
        bytes[to++] = unit >> 8;
      }
      break;
    }
    bytes[to++] = code;
  }
  at = to;
}

/**
 * Writes `value` as PLAIN at `at`; `false` (with `at` anywhere) if it is not
 * plain data, or an object in it is reached twice, which only node:v8 keeps.
 */
function writePlain(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
      writeString(value);
      return true;
    case "number":
      room(9);
      if ((value | 0) === value && (value !== 0 || 1 / value > 0)) {
        const bytes = out.bytes;
        bytes[at] = INT32;
        writeUint32(bytes, at + 1, value);
        at += 5;
      } else {
        out.bytes[at] = FLOAT64;
        out.view.setFloat64(at + 1, value, true);
        at += 9;
      }
      return true;
    case "boolean":
      room(1);
      out.bytes[at++] = value ? TRUE : FALSE;
      return true;
    case "undefined":
      room(1);
      out.bytes[at++] = UNDEFINED;
      return true;
    case "object": {
      if (value === null) {
        room(1);
        out.bytes[at++] = NULL;
        return true;
      }
      if (depth >= MAX_PLAIN_DEPTH) return false;
      // Only a nested object can be met twice (a cycle back to the root
      // ends at MAX_PLAIN_DEPTH): flat items pay nothing for the check.
      if (depth > 0) {
        if (visited.has(value)) return false;
        visited.add(value);
      }
      if (Array.isArray(value)) {
        const length = value.length;
        room(5);
        out.bytes[at] = ARRAY;
        writeUint32(out.bytes, at + 1, length);
        at += 5;
        for (let i = 0; i < length; i++) {
          const item = value[i];
          // A hole is not undefined: node:v8 keeps it.
          if (item === undefined && !(i in value)) return false;
          if (!writePlain(item, depth + 1)) return false;
        }
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      room(5);
      const head = at;
      out.bytes[head] = OBJECT;
      at += 5;
      let count = 0;
      if (proto === null || !inherited) {
        // for-in, faster than Object.keys, sees the same keys in the same
        // order while no prototype on the way has an enumerable property.
        for (const key in value) {
          writeString(key);
          if (!writePlain((value as Record<string, unknown>)[key], depth + 1)) {
            return false;
          }
          count++;
        }
      } else {
        const keys = Object.keys(value);
        for (; count < keys.length; count++) {
          const key = keys[count]!;
          writeString(key);
          if (!writePlain((value as Record<string, unknown>)[key], depth + 1)) {
            return false;
          }
        }
      }
      writeUint32(out.bytes, head + 1, count);
      return true;
    }
    default:
      return false;
  }
}

// Reading. Short one-byte strings (object keys, most of all) come from a
// small cache, checked code unit by code unit; a miss makes the string with
// String.fromCharCode.apply on a plain array kept for its length, which V8
// reads much faster than a typed array.

/** Where the current readPlain walk reads next, in `received`. */
let from = 0;
const CACHED_LENGTH = 32;
const CACHE_SLOTS = 1024;
const cache: string[] = new Array<string>(CACHE_SLOTS).fill("");
const codesOfLength: number[][] = Array.from(
  { length: CACHED_LENGTH + 1 },
  (_, length) => new Array<number>(length).fill(0),
);
const CHUNK = 4096;
const utf8 = new TextDecoder();

function readString8(length: number): string {
  const bytes = received.bytes;
  const start = from;
  from += length;
  if (length <= CACHED_LENGTH) {
    let hash = length;
    for (let i = start; i < start + length; i++) {
      hash = (hash * 31 + bytes[i]!) | 0;
    }
    const slot = hash & (CACHE_SLOTS - 1);
    const hit = cache[slot]!;
    if (hit.length === length) {
      let i = 0;
      while (i < length && hit.charCodeAt(i) === bytes[start + i]) i++;
      if (i === length) return hit;
    }
    const codes = codesOfLength[length]!;
    for (let i = 0; i < length; i++) codes[i] = bytes[start + i]!;
    const text = String.fromCharCode.apply(null, codes);
    cache[slot] = text;
    return text;
  }
  let ascii = true;
  for (let i = start; i < start + length; i++) {
    if (bytes[i]! > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return utf8.decode(bytes.subarray(start, start + length));
  let text = "";
  for (let done = 0; done < length; done += CHUNK) {
    const codes = new Array<number>(Math.min(CHUNK, length - done));
    for (let i = 0; i < codes.length; i++) codes[i] = bytes[start + done + i]!;
    text += String.fromCharCode.apply(null, codes);
  }
  return text;
}

function readString16(length: number): string {
  const bytes = received.bytes;
  const start = from;
  from += 2 * length;
  let text = "";
  for (let done = 0; done < length; done += CHUNK) {
    const codes = new Array<number>(Math.min(CHUNK, length - done));
    for (let i = 0, p = start + 2 * done; i < codes.length; i++, p += 2) {
      codes[i] = bytes[p]! | (bytes[p + 1]! << 8);
    }
    text += String.fromCharCode.apply(null, codes);
  }
  return text;
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) |
    (bytes[at + 3]! << 24)) >>> 0;
}

function readKey(): string {
  const type = received.bytes[from]!;
  const length = readUint32(received.bytes, from + 1);
  from += 5;
  return type === STRING8 ? readString8(length) : readString16(length);
}

function readPlain(): unknown {
  const bytes = received.bytes;
  const type = bytes[from++]!;
  switch (type) {
    case NULL:
      return null;
    case UNDEFINED:
      return undefined;
    case FALSE:
      return false;
    case TRUE:
      return true;
    case INT32: {
      const value = readUint32(bytes, from) | 0;
      from += 4;
      return value;
    }
    case FLOAT64: {
      const value = received.view.getFloat64(from, true);
      from += 8;
      return value;
    }
    case STRING8:
    case STRING16: {
      const length = readUint32(bytes, from);
      from += 4;
      return type === STRING8 ? readString8(length) : readString16(length);
    }
    case ARRAY: {
      const count = readUint32(bytes, from);
      from += 4;
      const array: unknown[] = [];
      for (let i = 0; i < count; i++) array.push(readPlain());
      return array;
    }
    case OBJECT: {
      const count = readUint32(bytes, from);
      from += 4;
      const object: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) {
        const key = readKey();
        const value = readPlain();
        if (key === "__proto__") {
          // An own property, as structured clone (and JSON.parse) make it,
          // not the prototype.
          Object.defineProperty(object, key, {
            value,
            writable: true,
            enumerable: true,
            configurable: true,
          });
        } else object[key] = value;
      }
      return object;
    }
    default:
      throw new TypeError(`Cannot decode an item: unknown type ${type}`);
  }
}

// ---------------------------------------------------------------------------

/** Whether an encodeToScratch call is running (a getter may call another). */
let encoding = false;

/**
 * Encodes a value for another thread into a scratch buffer, and returns it:
 * `written`, which holds it until this thread encodes again. (A getter of
 * the value that puts another item gets a scratch buffer of its own.)
 * Primitives of this module inside it must live in `heap`, the heap every
 * thread of the queue knows.
 */
export function encodeToScratch(
  value: unknown,
  heap: SharedMemory,
  where: string,
): Scratch {
  if (!encoding) {
    encoding = true;
    try {
      return encodeInto(written, value, heap, where);
    } finally {
      encoding = false;
      if (visited.size > 0) visited.clear();
    }
  }
  const outer = { out, at, visited: [...visited] };
  visited.clear();
  try {
    return encodeInto(scratch(INITIAL_SCRATCH), value, heap, where);
  } finally {
    ({ out, at } = outer);
    visited.clear();
    for (const object of outer.visited) visited.add(object);
  }
}

function encodeInto(
  into: Scratch,
  value: unknown,
  heap: SharedMemory,
  where: string,
): Scratch {
  out = into;
  at = 0;
  inherited = prototypeEnumerates();
  const plain = writePlain(value, 0);
  if (visited.size > 0) visited.clear();
  if (plain) {
    into.tag = PLAIN;
    into.length = at;
    return into;
  }
  const found: Found = { primitives: [] };
  const replaced = replacePrimitives(value, heap, where, found, new Map());
  let bytes: Uint8Array;
  try {
    bytes = serialize(replaced);
  } catch (error) {
    if (error instanceof V8NotLoaded) throw error;
    throw new TypeError(
      `${where}: the value cannot be sent to another thread (${
        (error as Error).message
      })`,
    );
  }
  // An item with primitives starts with the table of their offsets, so that
  // the queue that holds it can count it among their references without
  // decoding it (`itemReferences`).
  const table = found.primitives.length === 0
    ? 0
    : 4 * (1 + found.primitives.length);
  const length = table + bytes.length;
  if (length > into.bytes.length) grow(into, length, 0);
  if (table > 0) {
    into.view.setUint32(0, found.primitives.length, true);
    found.primitives.forEach((offset, i) =>
      into.view.setUint32(4 * (1 + i), offset, true)
    );
  }
  into.bytes.set(bytes, table);
  into.tag = table > 0 ? CLONE_WITH_PRIMITIVES : CLONE;
  into.length = length;
  return into;
}

/**
 * The byte offsets (in the queue's heap) of the primitives an encoded item
 * carries: what a queue retains while it holds the item, and releases once
 * it has been taken (and decoded) or dropped.
 */
export function itemReferences(tag: number, bytes: Uint8Array): number[] {
  if (tag !== CLONE_WITH_PRIMITIVES) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  const offsets: number[] = [];
  for (let i = 1; i <= count; i++) offsets.push(view.getUint32(4 * i, true));
  return offsets;
}

/** A copy of what a scratch buffer holds, for an item that must wait. */
export function copyOf(encoded: Scratch): Encoded {
  const copy = {
    tag: encoded.tag,
    bytes: copyWords(encoded.words, 0, encoded.length),
  };
  trimScratch(encoded);
  return copy;
}

/**
 * Encodes a value for another thread. Primitives of this module inside it
 * must live in `heap`, the heap every thread of the queue knows.
 */
export function encode(
  value: unknown,
  heap: SharedMemory,
  where: string,
): Encoded {
  return copyOf(encodeToScratch(value, heap, where));
}

/**
 * Encodes a value as `encode` does, into a fresh buffer with `room` bytes
 * left free before it (for a header of its own): one copy, where `encode`
 * and a copy behind a header would make two.
 */
export function encodeBehind(
  room: number,
  value: unknown,
  heap: SharedMemory,
  where: string,
): Encoded {
  const encoded = encodeToScratch(value, heap, where);
  const bytes = fresh(room + encoded.length);
  bytes.set(encoded.bytes.subarray(0, encoded.length), room);
  const tag = encoded.tag;
  trimScratch(encoded);
  return { tag, bytes };
}

/** Decodes what `received` holds (`tag` and `length` set by a store). */
export function decodeReceived(): unknown {
  try {
    if (received.tag === PLAIN) {
      from = 0;
      return readPlain();
    }
    return decodeClone(
      received.tag,
      received.bytes.slice(0, received.length),
    );
  } finally {
    trimScratch(received);
  }
}

/** Decodes what `encode` made. */
export function decode(tag: number, payload: Uint8Array): unknown {
  if (tag !== PLAIN) return decodeClone(tag, payload);
  reserve(payload.length);
  received.bytes.set(payload);
  received.tag = tag;
  received.length = payload.length;
  return decodeReceived();
}

function decodeClone(tag: number, payload: Uint8Array): unknown {
  if (tag !== CLONE_WITH_PRIMITIVES) return deserialize(payload);
  const count = new DataView(payload.buffer, payload.byteOffset, 4)
    .getUint32(0, true);
  const value = deserialize(payload.subarray(4 * (1 + count)));
  return revivePrimitives(value, new Set());
}

/**
 * A primitive's reference: kind, heap id, offset, length, generation and
 * parts.
 */
type Reference = [string, number, number, number, number, Reference[]];

/** The fields of a handle that lives wholly in the heap. */
const HEAP_ONLY = [
  "kind",
  "buffer",
  "byteOffset",
  "length",
  "generation",
  "parts",
];

/** What replacePrimitives found: the offsets of the primitives. */
interface Found {
  primitives: number[];
}

function reference(
  handle: Handle,
  heap: SharedMemory,
  where: string,
): Reference {
  if (Object.keys(handle).some((key) => !HEAP_ONLY.includes(key))) {
    // Its items or data live in buffers of its own, outside the heap.
    throw new TypeError(
      `${where}: a ${handle.kind} cannot travel inside an item; send its handle with postMessage`,
    );
  }
  if (openMemory(handle.buffer) !== heap) {
    throw new TypeError(
      `${where}: ${handle.kind} lives in another shared heap than this queue (it was made by a thread that had not yet received any primitive from its parent); send it by postMessage instead`,
    );
  }
  return [
    handle.kind,
    heapId(heap),
    handle.byteOffset,
    handle.length,
    handle.generation,
    handle.parts.map((part) => reference(part, heap, where)),
  ];
}

function dereference(
  [kind, id, byteOffset, length, generation, parts]: Reference,
): Handle {
  const buffer = heapById(id);
  if (buffer === undefined) {
    throw new TypeError(
      `Cannot receive ${kind}: its shared heap is unknown to this thread`,
    );
  }
  return {
    kind,
    buffer: describeMemory(buffer),
    byteOffset,
    length,
    generation,
    parts: parts.map(dereference),
  };
}

/** A copy of `value` with every primitive replaced by its reference. */
function replacePrimitives(
  value: unknown,
  heap: SharedMemory,
  where: string,
  found: Found,
  seen: Map<object, unknown>,
): unknown {
  if (typeof value === "function" || typeof value === "symbol") {
    throw new TypeError(
      `${where}: ${quote(value)} cannot be sent to another thread`,
    );
  }
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  const handle = handleOf(value);
  if (handle !== undefined) {
    const marked = { [MARK]: reference(handle, heap, where) };
    found.primitives.push(handle.byteOffset);
    return marked;
  }
  const recurse = (item: unknown) =>
    replacePrimitives(item, heap, where, found, seen);
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (let i = 0; i < value.length; i++) {
      if (i in value) copy[i] = recurse(value[i]);
      else copy.length = i + 1; // keep holes
    }
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map();
    seen.set(value, copy);
    for (const [key, item] of value) copy.set(recurse(key), recurse(item));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    seen.set(value, copy);
    for (const item of value) copy.add(recurse(item));
    return copy;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const key of Object.keys(value)) {
      copy[key] = recurse((value as Record<string, unknown>)[key]);
    }
    return copy;
  }
  // Dates, Errors, typed arrays, boxed values: structured clone takes them
  // as they are (and refuses what it cannot carry).
  return value;
}

/** Puts the primitives back in place of their references, in place. */
function revivePrimitives(value: unknown, seen: Set<object>): unknown {
  if (typeof value !== "object" || value === null || seen.has(value)) {
    return value;
  }
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (i in value) value[i] = revivePrimitives(value[i], seen);
    }
    return value;
  }
  if (value instanceof Map) {
    const entries = [...value].map(([key, item]) =>
      [revivePrimitives(key, seen), revivePrimitives(item, seen)] as const
    );
    value.clear();
    for (const [key, item] of entries) value.set(key, item);
    return value;
  }
  if (value instanceof Set) {
    const items = [...value].map((item) => revivePrimitives(item, seen));
    value.clear();
    for (const item of items) value.add(item);
    return value;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    if (MARK in record) return revive(dereference(record[MARK] as Reference));
    for (const key of Object.keys(record)) {
      record[key] = revivePrimitives(record[key], seen);
    }
  }
  return value;
}
