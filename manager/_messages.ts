// What a Manager's frames carry: requests, replies and the values in them,
// encoded by the module's codec (plain values, or structured clone). A
// primitive of this module cannot go through (its memory is not on the
// other machine), and a frame that claims to carry one is refused: nothing
// received names memory or code here.

import {
  CLONE_WITH_PRIMITIVES,
  decode,
  encodeBehind,
  heap,
} from "../primitives/_internals.ts";
import { FrameError, HEADER_BYTES } from "./_frame.ts";

/**
 * A call of a method of a served object (target 0: the Manager itself):
 * `[id, target, method, args]`, and the timeout in milliseconds last when
 * there is one. Messages are arrays, not objects, as they encode in about
 * half the time.
 */
export type Request =
  | readonly [id: number, target: number, method: string, args: unknown[]]
  | readonly [
    id: number,
    target: number,
    method: string,
    args: unknown[],
    timeout: number,
  ];

/** Stops the wait of request `id` (its reply still comes). */
export type Cancel = readonly [id: number];

/** What a request failed with, for the client to throw. */
export interface RemoteError {
  readonly name: string;
  readonly message: string;
}

/** The outcome of a request: its value, or (three long) its error. */
export type Reply =
  | readonly [id: number, value: unknown]
  | readonly [id: number, value: null, error: RemoteError];

/**
 * Encodes a message as a frame (room for `FrameWriter`'s header, a tag,
 * then the codec's bytes).
 *
 * @throws {TypeError} If it holds what cannot be copied to another program.
 */
export function encodeMessage(message: unknown, where: string): Uint8Array {
  const { tag, bytes } = encodeBehind(HEADER_BYTES + 1, message, heap(), where);
  if (tag === CLONE_WITH_PRIMITIVES) {
    throw new TypeError(
      `${where}: a Manager holds copies of values, and a primitive of this module cannot be copied to it (pass the primitive to the process itself, or use the Manager's own Lock, Queue or Value)`,
    );
  }
  bytes[HEADER_BYTES] = tag;
  return bytes;
}

/**
 * Decodes a frame's payload (a tag, then the codec's bytes).
 *
 * @throws {FrameError} If it is not a message.
 */
export function decodeMessage(payload: Uint8Array): unknown {
  const tag = payload[0];
  if (tag !== 1 && tag !== 2) {
    throw new FrameError(`A frame of unknown kind ${tag}`);
  }
  try {
    return decode(tag, payload.subarray(1));
  } catch (error) {
    throw new FrameError(`A frame that does not decode (${error})`);
  }
}
