// The one codec: how an item crosses threads as bytes in shared memory, for
// every queue and pipe.
//
// Most traffic is JSON-like (plain objects, arrays, strings, finite numbers,
// booleans, null), and for it the fast path is JSON text, stored as UTF-16
// code units so that neither side needs a TextEncoder (a JSON round trip of
// a small object costs about 1 us here, `node:v8` about 24 us). Everything
// else that structured clone can carry (Map, Set, Date, BigInt, typed arrays,
// Error, undefined, NaN, -0, cycles) goes through `node:v8`'s serializer.
// The primitives of this module travel as references into the shared heap
// and arrive as the same class. A value that cannot be carried (a function, a
// symbol) is a TypeError when it is encoded, before anything is enqueued.

import { Deserializer, Serializer } from "node:v8";
import { type Handle, handleOf, revive } from "./_handle.ts";
import { heapById, heapId } from "./_heap.ts";
import { quote } from "./_options.ts";

/** The payload is JSON text, in UTF-16 code units. */
export const JSON_TEXT = 1;
/** The payload is `node:v8` bytes. */
export const CLONE = 2;
/** The payload is `node:v8` bytes with primitives of this module inside. */
export const CLONE_WITH_PRIMITIVES = 3;

/** An encoded item: JSON text, or bytes. */
export type Encoded =
  | { readonly tag: typeof JSON_TEXT; readonly text: string }
  | {
    readonly tag: typeof CLONE | typeof CLONE_WITH_PRIMITIVES;
    readonly bytes: Uint8Array;
  };

/** The key under which a primitive's reference stands in a cloned value. */
const MARK = "\u0000parallel.primitive";
const MAX_JSON_DEPTH = 64;

// node:v8's serialize() and deserialize() treat typed arrays as host
// objects: a decoded view would share Node's Buffer pool (or the payload)
// with other values. The plain Serializer keeps structured clone's meaning.
function serialize(value: unknown): Uint8Array {
  const serializer = new Serializer();
  serializer.writeHeader();
  serializer.writeValue(value);
  return serializer.releaseBuffer();
}

function deserialize(bytes: Uint8Array): unknown {
  const deserializer = new Deserializer(bytes);
  deserializer.readHeader();
  return deserializer.readValue();
}

/** The objects met by the current isJsonSafe walk (reused, then cleared). */
const visited = new Set<object>();

/**
 * Whether JSON carries `value` faithfully. An object reached twice is not:
 * JSON would make two copies of it (and a cycle would never end).
 */
function isJsonSafe(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      // NaN, the infinities and -0 do not survive JSON.
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (depth > MAX_JSON_DEPTH) return false;
      // Only a nested object can be met twice (a cycle back to the root
      // ends at MAX_JSON_DEPTH): flat items pay nothing for the check.
      if (depth > 0) {
        if (visited.has(value)) return false;
        visited.add(value);
      }
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          // A hole reads as undefined, which is not JSON.
          if (!isJsonSafe(value[i], depth + 1)) return false;
        }
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        if (!isJsonSafe((value as Record<string, unknown>)[key], depth + 1)) {
          return false;
        }
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * Encodes a value for another thread. Primitives of this module inside it
 * must live in `heap`, the heap every thread of the queue knows.
 */
export function encode(
  value: unknown,
  heap: SharedArrayBuffer,
  where: string,
): Encoded {
  let jsonSafe: boolean;
  try {
    jsonSafe = isJsonSafe(value, 0);
  } finally {
    if (visited.size > 0) visited.clear();
  }
  if (jsonSafe) {
    return { tag: JSON_TEXT, text: JSON.stringify(value) };
  }
  const found = { primitives: false };
  const replaced = replacePrimitives(value, heap, where, found, new Map());
  let bytes: Uint8Array;
  try {
    bytes = serialize(replaced);
  } catch (error) {
    throw new TypeError(
      `${where}: the value cannot be sent to another thread (${
        (error as Error).message
      })`,
    );
  }
  return { tag: found.primitives ? CLONE_WITH_PRIMITIVES : CLONE, bytes };
}

/** Decodes what `encode` made. */
export function decode(tag: number, payload: string | Uint8Array): unknown {
  if (tag === JSON_TEXT) return JSON.parse(payload as string);
  const value = deserialize(payload as Uint8Array);
  return tag === CLONE_WITH_PRIMITIVES
    ? revivePrimitives(value, new Set())
    : value;
}

/** A primitive's reference: kind, heap id, offset, length and parts. */
type Reference = [string, number, number, number, Reference[]];

/** The fields of a handle that lives wholly in the heap. */
const HEAP_ONLY = ["kind", "buffer", "byteOffset", "length", "parts"];

function reference(
  handle: Handle,
  heap: SharedArrayBuffer,
  where: string,
): Reference {
  if (Object.keys(handle).some((key) => !HEAP_ONLY.includes(key))) {
    // Its items or data live in buffers of its own, outside the heap.
    throw new TypeError(
      `${where}: a ${handle.kind} cannot travel inside an item; send its handle with postMessage`,
    );
  }
  if (handle.buffer !== heap) {
    throw new TypeError(
      `${where}: ${handle.kind} lives in another shared heap than this queue (it was made by a thread that had not yet received any primitive from its parent); send it by postMessage instead`,
    );
  }
  return [
    handle.kind,
    heapId(heap),
    handle.byteOffset,
    handle.length,
    handle.parts.map((part) => reference(part, heap, where)),
  ];
}

function dereference([kind, id, byteOffset, length, parts]: Reference): Handle {
  const buffer = heapById(id);
  if (buffer === undefined) {
    throw new TypeError(
      `Cannot receive ${kind}: its shared heap is unknown to this thread`,
    );
  }
  return { kind, buffer, byteOffset, length, parts: parts.map(dereference) };
}

/** A copy of `value` with every primitive replaced by its reference. */
function replacePrimitives(
  value: unknown,
  heap: SharedArrayBuffer,
  where: string,
  found: { primitives: boolean },
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
    found.primitives = true;
    return { [MARK]: reference(handle, heap, where) };
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
