// The one handle registry. A primitive is a small layout of 32-bit words in
// the shared heap (`_heap.ts`); its handle is a plain, structured-cloneable
// object that names the kind and where its words are (and carries the
// handles it is built on), so that `postMessage` can move it and
// `X.from(handle)` can rebuild it.

import { adoptHeap, allocate } from "./_heap.ts";
import { quote, withArticle } from "./_options.ts";

/**
 * A structured-cloneable description of a primitive, made by its `handle`
 * getter and turned back into a working object by its class's `from()`.
 */
export interface Handle {
  /** The class this handle rebuilds, such as `"Lock"`. */
  readonly kind: string;
  /** The shared heap that holds the primitive's words. */
  readonly buffer: SharedArrayBuffer;
  /** Where the words start in `buffer`, in bytes. */
  readonly byteOffset: number;
  /** How many 32-bit words the primitive has. */
  readonly length: number;
  /** The handles of the primitives it is built on (a Condition's lock). */
  readonly parts: readonly Handle[];
}

const revivers = new Map<string, (handle: Handle) => unknown>();
const classes = new Set<
  abstract new (...args: never[]) => { handle: Handle }
>();

/**
 * Records how to rebuild a kind, so that `revive()` can find it, and its
 * class, so that `handleOf()` recognises its instances.
 */
export function registerKind(
  kind: string,
  revive: (handle: Handle) => unknown,
  cls?: abstract new (...args: never[]) => { handle: Handle },
): void {
  revivers.set(kind, revive);
  if (cls) classes.add(cls);
}

/** The handle of a primitive of this module, or undefined for any other value. */
export function handleOf(value: object): Handle | undefined {
  for (const cls of classes) {
    if (value instanceof cls) return value.handle;
  }
  return undefined;
}

/** Whether a value looks like a handle of a registered kind. */
export function isHandle(value: unknown): value is Handle {
  return typeof value === "object" && value !== null &&
    revivers.has((value as Handle).kind) &&
    (value as Handle).buffer instanceof SharedArrayBuffer;
}

/** Rebuilds any registered primitive from its handle. */
export function revive(handle: Handle): unknown {
  if (typeof handle !== "object" || handle === null) {
    throw new TypeError(
      `Cannot revive handle: expected a handle, received ${quote(handle)}`,
    );
  }
  const reviver = revivers.get(handle.kind);
  if (reviver === undefined) {
    throw new TypeError(
      `Cannot revive handle: unknown kind ${quote(handle.kind)}`,
    );
  }
  return reviver(handle);
}

/**
 * The layout of a kind: a magic word first (so that foreign memory is
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

  /** Allocates the (zeroed) words of a new primitive, magic in place. */
  allocate(words: number = this.#words): Int32Array {
    const { buffer, byteOffset } = allocate(words * 4);
    const view = new Int32Array(buffer, byteOffset, words);
    Atomics.store(view, 0, this.#magic);
    return view;
  }

  /** Makes the handle of a primitive laid out here. */
  handle(words: Int32Array, parts: readonly Handle[] = []): Handle {
    return {
      kind: this.kind,
      buffer: words.buffer as SharedArrayBuffer,
      byteOffset: words.byteOffset,
      length: words.length,
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
    const { kind, buffer, byteOffset, length } = handle as Partial<Handle>;
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
      !Number.isInteger(byteOffset) || !Number.isInteger(length) ||
      byteOffset! < 0 || byteOffset! % 4 !== 0 || length! < this.#words ||
      byteOffset! + length! * 4 > buffer.byteLength ||
      Atomics.load(new Int32Array(buffer, byteOffset, 1), 0) !== this.#magic ||
      !Array.isArray(handleParts) || handleParts.length !== parts
    ) {
      throw new TypeError(
        `${where}: its buffer (${buffer.byteLength} bytes) at offset ${
          quote(byteOffset)
        } is not the memory of ${withArticle(this.kind)}`,
      );
    }
    adoptHeap(buffer);
    return new Int32Array(buffer, byteOffset, length);
  }
}
