// The one handle registry. A primitive is a small layout of 32-bit words in
// a block of the shared heap (`_heap.ts`); its handle is a plain,
// structured-cloneable object that names the kind, where its words are and
// which generation of the block it means (and carries the handles it is
// built on), so that `postMessage` can move it and `X.from(handle)` can
// rebuild it. Every field is checked against what the block says, so a
// handle that was made up, stitched together from two primitives, or kept
// after its primitive was freed is refused.

import {
  adoptHeap,
  allocate,
  BINDING,
  blockIndex,
  blockIndexAt,
  CHILDREN,
  childrenOf,
  GENERATION,
  heapWords,
  SIZE,
} from "./_heap.ts";
import { quote, withArticle } from "../internal/options.ts";
import {
  describeMemory,
  isMemoryRef,
  type MemoryRef,
  openMemory,
  type SharedMemory,
} from "./_memory.ts";
import { generationOf, hold, isLive, pin } from "./_refs.ts";

/**
 * A structured-cloneable description of a primitive, made by its `handle`
 * getter and turned back into a working object by its class's `from()`.
 */
export interface Handle {
  /** The class this handle rebuilds, such as `"Lock"`. */
  readonly kind: string;
  /**
   * The shared heap that holds the primitive's words: a SharedArrayBuffer,
   * or, in a program that shares with processes, how to map it.
   */
  readonly buffer: MemoryRef;
  /** Where the words start in `buffer`, in bytes. */
  readonly byteOffset: number;
  /** How many 32-bit words the primitive has. */
  readonly length: number;
  /**
   * Which use of its memory the handle means: a handle of a primitive that
   * was freed is refused, even when its memory holds another one now.
   */
  readonly generation: number;
  /** The handles of the primitives it is built on (a Condition's lock). */
  readonly parts: readonly Handle[];
}

/** A class, by its constructor (of any arguments). */
export type AnyClass<C extends object = object> = abstract new (
  // deno-lint-ignore no-explicit-any
  ...args: any[]
) => C;

const revivers = new Map<string, (handle: Handle) => unknown>();
const handlesOf = new Map<AnyClass, (value: object) => Handle>();

/**
 * Records how to rebuild a kind, so that `revive()` can find it, and, for a
 * class, how to read the handle of an instance without pinning it (for
 * `handleOf`).
 */
export function registerKind<C extends object>(
  kind: string,
  revive: (handle: Handle) => unknown,
  cls?: AnyClass<C>,
  handleOfInstance?: (value: C) => Handle,
): void {
  revivers.set(kind, revive);
  if (cls !== undefined && handleOfInstance !== undefined) {
    handlesOf.set(cls, handleOfInstance as (value: object) => Handle);
  }
}

/**
 * The handle of a primitive of this module, or undefined for any other
 * value. It is not pinned: whoever sends it holds a reference for it
 * (`_refs.ts`).
 */
export function handleOf(value: object): Handle | undefined {
  for (const [cls, handleOfInstance] of handlesOf) {
    if (value instanceof cls) return handleOfInstance(value);
  }
  return undefined;
}

/**
 * What a public `handle` getter returns: the handle, pinned, so that its
 * primitive stays alive until some thread opens it.
 */
export function pinned<H extends Handle>(handle: H): H {
  pin(new Int32Array(openMemory(handle.buffer)!, handle.byteOffset, 1));
  return handle;
}

/**
 * The one way a `from()` hands what it opened to its class's constructor
 * (which has no parameter for it: a constructor's public signature is what
 * users call). `from()` calls `rebuild.with(opened, () => new X())`; the
 * constructor's first statement is `const opened = rebuild.take()`, which is
 * `undefined` for a plain `new X()`. What was set is cleared however the
 * construction ends, so it never reaches a later `new X()`.
 */
export class Rebuild<T> {
  #pending: T | undefined;

  /** Runs `construct` with `opened` waiting for its constructor. */
  with<R>(opened: T, construct: () => R): R {
    this.#pending = opened;
    try {
      return construct();
    } finally {
      this.#pending = undefined;
    }
  }

  /** What `from()` opened for this construction, if it is one of its. */
  take(): T | undefined {
    const opened = this.#pending;
    this.#pending = undefined;
    return opened;
  }
}

/**
 * Makes `object` stand for the primitive whose words are `words`, so that
 * they are freed once no object, handle in flight or other primitive
 * refers to them (`_refs.ts`). `opened` words come from a handle: they must
 * still be in use. `onFree` runs if this thread frees them.
 *
 * @throws {TypeError} If opened words were freed in the meantime.
 */
export function track(
  object: object,
  words: Int32Array,
  opened: boolean,
  kind: string,
  onFree?: () => void,
): void {
  if (!hold(object, words, !opened, onFree)) {
    throw new TypeError(
      `Cannot create ${kind} from handle: the ${kind} it names was freed (a handle stays valid while its primitive is in use somewhere, or until it is opened)`,
    );
  }
}

/** Whether a value looks like a handle of a registered kind. */
export function isHandle(value: unknown): value is Handle {
  return typeof value === "object" && value !== null &&
    revivers.has((value as Handle).kind) &&
    isMemoryRef((value as Handle).buffer);
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

/** A 32-bit mix of the tags of a primitive's own buffers, never 0. */
function bindingOf(tags: readonly number[]): number {
  let hash = 0x811c9dc5;
  for (const tag of tags) hash = Math.imul(hash ^ tag, 0x01000193);
  return hash | 1;
}

/** A random tag for a buffer that a primitive owns, never 0. */
export function newTag(): number {
  return (Math.random() * 0x100000000) | 1;
}

/**
 * The layout of a kind: a magic word first (so that foreign memory is
 * refused), then its words of state: exactly `words` of them, or at least
 * that many for a kind whose size varies.
 */
export class Layout {
  readonly kind: string;
  /** The first word of every primitive of this kind. */
  readonly magic: number;
  readonly #magic: number;
  readonly #words: number;
  readonly #variable: boolean;

  constructor(
    kind: string,
    magic: number,
    words: number,
    options: { variable?: boolean } = {},
  ) {
    this.kind = kind;
    this.magic = magic;
    this.#magic = magic;
    this.#words = words;
    this.#variable = options.variable ?? false;
  }

  /**
   * Allocates the (zeroed) words of a new primitive, magic in place, built
   * on the primitives whose words are `parts` and owning buffers with the
   * given `tags` (which its handle must carry back).
   */
  allocate(
    words: number = this.#words,
    parts: readonly Int32Array[] = [],
    tags: readonly number[] = [],
  ): Int32Array {
    const view = allocate(words, parts);
    if (tags.length > 0) {
      const all = heapWords(view.buffer as SharedMemory);
      Atomics.store(all, blockIndex(view) + BINDING, bindingOf(tags));
    }
    Atomics.store(view, 0, this.#magic);
    return view;
  }

  /** Makes the handle of a primitive laid out here (not pinned). */
  handle(words: Int32Array, parts: readonly Handle[] = []): Handle {
    return {
      kind: this.kind,
      buffer: describeMemory(words.buffer as SharedMemory),
      byteOffset: words.byteOffset,
      length: words.length,
      generation: generationOf(words),
      parts,
    };
  }

  /**
   * Checks a handle of this kind against the block it names (built on
   * `parts` other primitives) and opens its words. A kind that owns buffers
   * checks them next, with {@linkcode Layout.checkOwn}.
   */
  open(handle: unknown, parts = 0): Int32Array {
    const where = `Cannot create ${this.kind} from handle`;
    if (typeof handle !== "object" || handle === null) {
      throw new TypeError(
        `${where}: expected ${withArticle(this.kind)} handle, received ${
          quote(handle)
        }`,
      );
    }
    const { kind, byteOffset, length, generation } = handle as Partial<
      Handle
    >;
    if (kind !== this.kind) {
      throw new TypeError(
        `${where}: expected ${
          withArticle(this.kind)
        } handle, received a handle of kind ${quote(kind)}`,
      );
    }
    const buffer = openMemory((handle as Partial<Handle>).buffer);
    if (buffer === undefined) {
      throw new TypeError(
        `${where}: 'buffer' must be a SharedArrayBuffer, received ${
          quote((handle as Partial<Handle>).buffer)
        }`,
      );
    }
    const notOurs = () =>
      new TypeError(
        `${where}: its buffer (${buffer.byteLength} bytes) at offset ${
          quote(byteOffset)
        } is not the memory of ${withArticle(this.kind)}`,
      );
    const at = blockIndexAt(buffer, byteOffset as number);
    const all = at < 0 ? undefined : heapWords(buffer);
    if (
      all === undefined || !Number.isInteger(length) ||
      (this.#variable ? length! < this.#words : length !== this.#words) ||
      byteOffset! + 4 * length! > 4 * at + Atomics.load(all, at + SIZE)
    ) {
      throw notOurs();
    }
    // Generations only grow: an older one means that its primitive was
    // freed, whatever the memory holds now.
    const now = Atomics.load(all, at + GENERATION);
    if (
      Number.isInteger(generation) && (generation! & 1) === 1 &&
      (generation! < now || !isLive(buffer, byteOffset!, generation))
    ) {
      throw new TypeError(
        `${where}: the ${this.kind} it names was freed (a handle stays valid while its primitive is in use somewhere, or until it is opened)`,
      );
    }
    if (
      generation !== now ||
      Atomics.load(new Int32Array(buffer, byteOffset!, 1), 0) !== this.#magic
    ) {
      throw notOurs();
    }
    const handleParts = (handle as Partial<Handle>).parts;
    if (!Array.isArray(handleParts) || handleParts.length !== parts) {
      throw notOurs();
    }
    handleParts.forEach((part, i) => {
      if (typeof part !== "object" || part === null) {
        throw new TypeError(
          `${where}: 'parts[${i}]' must be a handle, received ${quote(part)}`,
        );
      }
    });
    const built = Atomics.load(all, at + CHILDREN);
    if (built !== parts) {
      throw new TypeError(
        `${where}: 'parts' names ${parts} primitives, the ${this.kind} is built on ${built}`,
      );
    }
    adoptHeap(buffer);
    return new Int32Array(buffer, byteOffset, length);
  }

  /**
   * Checks that a handle's parts are the very primitives that its
   * primitive is built on (after the kind has checked what they are).
   *
   * @throws {TypeError} If one is another primitive.
   */
  checkParts(words: Int32Array, handle: Handle): void {
    const all = heapWords(words.buffer as SharedMemory);
    const children = childrenOf(all, blockIndex(words));
    children.forEach((child, i) => {
      if (handle.parts[i]?.byteOffset !== 4 * child) {
        throw new TypeError(
          `Cannot create ${this.kind} from handle: 'parts[${i}]' is not the primitive it is built on`,
        );
      }
    });
  }

  /**
   * Checks that the buffers a handle carries (their tags, and their names
   * for the message) are the ones the primitive was made with.
   *
   * @throws {TypeError} If they are not.
   */
  checkOwn(words: Int32Array, tags: readonly number[], names: string): void {
    const all = heapWords(words.buffer as SharedMemory);
    if (Atomics.load(all, blockIndex(words) + BINDING) !== bindingOf(tags)) {
      throw new TypeError(
        `Cannot create ${this.kind} from handle: ${names} of the handle ${
          tags.length === 1 ? "is not the buffer" : "are not the buffers"
        } of the ${this.kind} it names`,
      );
    }
  }
}
