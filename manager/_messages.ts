// What a Manager's frames carry: requests, replies and the values in them,
// encoded by the module's codec (plain values, or structured clone). A
// primitive of this module cannot go through (its memory is not on the
// other machine), and a frame that claims to carry one is refused: nothing
// received names memory or code here.

import {
  CLONE_WITH_PRIMITIVES,
  decode,
  encode,
  heap,
} from "../primitives/_internals.ts";
import { FrameError } from "./_frame.ts";

/** A call of a method of a served object (target 0: the Manager itself). */
export interface Request {
  readonly id: number;
  readonly target: number;
  readonly method: string;
  readonly args: readonly unknown[];
  readonly timeout?: number;
}

/** Stops the wait of a request (its reply still comes). */
export interface Cancel {
  readonly cancel: number;
}

/** The outcome of a request. */
export type Reply =
  | { readonly id: number; readonly value: unknown }
  | {
    readonly id: number;
    readonly error: { readonly name: string; readonly message: string };
  };

/**
 * Encodes a message for a frame.
 *
 * @throws {TypeError} If it holds what cannot be copied to another program.
 */
export function encodeMessage(message: unknown, where: string): Uint8Array {
  const { tag, bytes } = encode(message, heap(), where);
  if (tag === CLONE_WITH_PRIMITIVES) {
    throw new TypeError(
      `${where}: a Manager holds copies of values, and a primitive of this module cannot be copied to it (pass the primitive to the process itself, or use the Manager's own Lock, Queue or Value)`,
    );
  }
  const frame = new Uint8Array(1 + bytes.length);
  frame[0] = tag;
  frame.set(bytes, 1);
  return frame;
}

/**
 * Decodes a frame's message.
 *
 * @throws {FrameError} If it is not one.
 */
export function decodeMessage(frame: Uint8Array): unknown {
  const tag = frame[0];
  if (tag !== 1 && tag !== 2) {
    throw new FrameError(`A frame of unknown kind ${tag}`);
  }
  try {
    return decode(tag, frame.subarray(1));
  } catch (error) {
    throw new FrameError(`A frame that does not decode (${error})`);
  }
}
