// The one handle registry. A primitive is a small layout of 32-bit words in a
// SharedArrayBuffer; its handle is a plain, structured-cloneable object that
// names the kind and carries the buffer (and the handles it is built on), so
// that `postMessage` can move it and `X.from(handle)` can rebuild it.

import { quote, withArticle } from "./_options.ts";
import { adoptRuntime, runtimeBuffer } from "./_thread.ts";

/**
 * A structured-cloneable description of a primitive, made by its `handle`
 * getter and turned back into a working object by its class's `from()`.
 */
export interface Handle {
  /** The class this handle rebuilds, such as `"Lock"`. */
  readonly kind: string;
  /** The shared words of the primitive. */
  readonly buffer: SharedArrayBuffer;
  /** The thread-id counter of the thread that made it. */
  readonly runtime: SharedArrayBuffer;
  /** The handles of the primitives it is built on (a Condition's lock). */
  readonly parts: readonly Handle[];
}

const revivers = new Map<string, (handle: Handle) => unknown>();

/** Records how to rebuild a kind, so that `revive()` can find it. */
export function registerKind(
  kind: string,
  revive: (handle: Handle) => unknown,
): void {
  revivers.set(kind, revive);
}

/** Whether a value looks like a handle of a registered kind. */
export function isHandle(value: unknown): value is Handle {
  return typeof value === "object" && value !== null &&
    revivers.has((value as Handle).kind) &&
    (value as Handle).buffer instanceof SharedArrayBuffer;
}

/** Rebuilds any registered primitive from its handle. */
export function revive(handle: Handle): unknown {
  const reviver = revivers.get(handle.kind);
  if (reviver === undefined) {
    throw new TypeError(
      `Cannot revive handle: unknown kind ${quote(handle.kind)}`,
    );
  }
  return reviver(handle);
}

/**
 * The layout of a kind: a magic word first (so that a foreign buffer is
 * refused), then at least `words - 1` words of state.
 */
export class Layout {
  readonly kind: string;
  readonly #magic: number;
  readonly #words: number;

  constructor(kind: string, magic: number, words: number) {
    this.kind = kind;
    this.#magic = magic;
    this.#words = words;
  }

  /** Allocates the words of a new primitive, magic in place. */
  allocate(words: number = this.#words): Int32Array {
    const view = new Int32Array(new SharedArrayBuffer(words * 4));
    view[0] = this.#magic;
    return view;
  }

  /** Makes the handle of a primitive laid out here. */
  handle(words: Int32Array, parts: readonly Handle[] = []): Handle {
    return {
      kind: this.kind,
      buffer: words.buffer as SharedArrayBuffer,
      runtime: runtimeBuffer(),
      parts,
    };
  }

  /** Checks a handle of this kind and opens its words. */
  open(handle: unknown, parts = 0): Int32Array {
    const where = `Cannot create ${this.kind} from handle`;
    if (typeof handle !== "object" || handle === null) {
      throw new TypeError(
        `${where}: expected ${withArticle(this.kind)} handle, received ${
          quote(handle)
        }`,
      );
    }
    const { kind, buffer, runtime } = handle as Partial<Handle>;
    if (kind !== this.kind) {
      throw new TypeError(
        `${where}: expected ${
          withArticle(this.kind)
        } handle, received a handle of kind ${quote(kind)}`,
      );
    }
    if (!(buffer instanceof SharedArrayBuffer)) {
      throw new TypeError(
        `${where}: 'buffer' must be a SharedArrayBuffer, received ${
          quote(buffer)
        }`,
      );
    }
    const handleParts = (handle as Partial<Handle>).parts;
    if (
      buffer.byteLength < this.#words * 4 || buffer.byteLength % 4 !== 0 ||
      Atomics.load(new Int32Array(buffer, 0, 1), 0) !== this.#magic ||
      !Array.isArray(handleParts) || handleParts.length !== parts
    ) {
      throw new TypeError(
        `${where}: its buffer (${buffer.byteLength} bytes) is not the memory of ${
          withArticle(this.kind)
        }`,
      );
    }
    adoptRuntime(runtime);
    return new Int32Array(buffer);
  }
}
