// What a ClusterPool and its workers write into Redis, besides the keys
// (`_redis.ts`): values in the module's codec, as one tag byte and the
// codec's bytes. Everything received is decoded as data, never evaluated:
// a task names an export of a module the worker was started with.
//
// A task is a stream entry with fields `p` (its request: id, kind, export,
// arguments), `r` (the pool's id, which names the stream of its answers),
// `m` (the module's URL), `n` (maxRetries) and `b` (the most bytes an answer
// may take). An answer is an entry of the pool's stream with field `a` (id,
// status, value); a worker that takes tasks writes an entry with field `s`
// (the ids it started, with how many times each was delivered).

// node:v8 for what is not plain data (a Map, a Date, a typed array).
import "../primitives/_codec_clone.ts";
import {
  CLONE_WITH_PRIMITIVES,
  decode,
  encode,
  heap,
} from "../primitives/_codec_internals.ts";

/** An answer's status besides the core's OK and FAILED: the task's workers died. */
export const CRASHED = 3;

/**
 * Encodes a value for another machine.
 *
 * @throws {TypeError} If the codec cannot carry it, or it holds a primitive
 * of this module (which lives in this machine's memory).
 */
export function pack(value: unknown, where: string): Uint8Array {
  const { tag, bytes } = encode(value, heap(), where);
  if (tag === CLONE_WITH_PRIMITIVES) {
    throw new TypeError(
      `${where}: the primitives of this module (Lock, Queue, Value...) live in this machine's memory and cannot go to other machines`,
    );
  }
  const packed = new Uint8Array(1 + bytes.length);
  packed[0] = tag;
  packed.set(bytes, 1);
  return packed;
}

/** Decodes what `pack` made. */
export function unpack(bytes: Uint8Array): unknown {
  return decode(bytes[0]!, bytes.subarray(1));
}
