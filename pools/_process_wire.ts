// How a process pool and its child talk (`_process_lane.ts`,
// `_process_worker.ts`). Measured here: a child that blocks in
// `Deno.stdin.readSync` and answers with `writeSync`, read by the parent
// with a BYOB reader, answers a one-byte ping in about 23 µs; async reads in
// the child cost 134 to 284 µs, `node:child_process` IPC 68 µs and starts
// 30 ms later (ARCHITECTURE.md, "Processes").
//
// The parent writes to the child's stdin: messages, each a u32 length, a
// codec tag and the codec's bytes (the setup, then requests and skip notes).
// The child answers on its stderr, because its stdout is the program's own
// (what a task prints goes straight to the terminal, as in Python). Its
// stderr also carries what the child prints there without asking us
// (Deno's report of an uncaught error, V8's out-of-memory report, a task's
// `console.error`): so our bytes go in chunks that start with a magic
// number drawn at random for each child, and each chunk is one write of at
// most PIPE_BUF bytes, which no other writer's bytes can split. Everything
// between chunks is the child's own output, passed on to the parent's
// stderr as it is.

import {
  CLONE_WITH_PRIMITIVES,
  decode,
  encode,
  type Encoded,
  heap,
  type MemoryRef,
} from "../primitives/_codec_internals.ts";

/** A message of the child: it has loaded its module and run its initializer. */
export const READY = 1;
/** A message of the child: a response (`_wire.ts`), as a whole stdin-style message. */
export const ANSWER = 2;
/** A message of the child: its module or initializer threw (a wire error, as ANSWER's). */
export const FAILED_TO_START = 3;

/** The kind of a request that tells the child to skip request `id`. */
export const SKIP = -2;
/**
 * The kind of the message that lets a child that said READY run its
 * requests (its id is 0). Every SKIP the parent sent before it knew the
 * child was ready comes before it: a task stopped then is skipped, never
 * started (and after it, the parent kills a child to stop its head).
 */
export const GO = -3;

/** What the parent tells a child first. */
export interface ProcessSetup {
  readonly module: string | undefined;
  readonly initializer: { target: string; args: unknown[] } | undefined;
  /** The magic number of the child's chunks, as 8 bytes. */
  readonly magic: number[];
  /** What `currentProcess()` says in it. */
  readonly name: string;
  /** The parent's heap, when it shares memory with processes. */
  readonly heap: MemoryRef | undefined;
  /**
   * The thread id reserved for the child's main thread, with the heap: the
   * parent frees what the child held there once it has ended.
   */
  readonly ident: number | undefined;
}

/** What a Process's child (`_process_main.ts`) is told: what to run. */
export interface ProcessMainSetup {
  readonly module: string | undefined;
  /** An export's name, or a function's source. */
  readonly target: string;
  readonly args: unknown[];
  readonly name: string;
  readonly daemon: boolean;
  /** The parent's heap, when it shares memory with processes. */
  readonly heap: MemoryRef | undefined;
  /** As `ProcessSetup.ident`. */
  readonly ident: number | undefined;
}

/** The most bytes one write to a pipe carries whole (Linux's PIPE_BUF). */
const PIPE_BUF = 4096;
const MAGIC_BYTES = 8;
const CHUNK_HEADER = MAGIC_BYTES + 2;
const CHUNK_DATA = PIPE_BUF - CHUNK_HEADER;

/**
 * Encodes a value as one stdin message (or the payload of an ANSWER).
 *
 * @throws {TypeError} If it cannot travel to another process.
 */
export function encodeMessage(value: unknown, where: string): Uint8Array {
  const encoded = encode(value, heap(), where);
  if (encoded.tag === CLONE_WITH_PRIMITIVES) {
    throw new TypeError(
      `${where}: the primitives of this module (Lock, Queue, Value...) go to a process as arguments, and do not come back in results yet`,
    );
  }
  return framed(encoded);
}

function framed({ tag, bytes }: Encoded): Uint8Array {
  const message = new Uint8Array(5 + bytes.length);
  new DataView(message.buffer).setUint32(0, 1 + bytes.length, true);
  message[4] = tag;
  message.set(bytes, 5);
  return message;
}

/** Decodes the body of a message (its tag and bytes, past the length). */
export function decodeMessage(body: Uint8Array): unknown {
  return decode(body[0]!, body.subarray(1));
}

/**
 * Splits a byte stream into the messages `encodeMessage` (or `typed`) made:
 * each u32 length, then that many bytes.
 */
export class MessageReader {
  #buffer = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;

  /** Room to read into: the free end of the buffer, grown if needed. */
  room(atLeast = 4096): Uint8Array {
    if (this.#buffer.length - this.#end < atLeast) {
      const kept = this.#end - this.#start;
      const size = Math.max(this.#buffer.length, 2 * (kept + atLeast));
      if (size === this.#buffer.length) {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      } else {
        const next = new Uint8Array(size);
        next.set(this.#buffer.subarray(this.#start, this.#end));
        this.#buffer = next;
      }
      this.#start = 0;
      this.#end = kept;
    }
    return this.#buffer.subarray(this.#end);
  }

  /** `count` bytes were read into `room()`. */
  wrote(count: number): void {
    this.#end += count;
  }

  /**
   * Reads once with `read` (a `readSync`, which blocks) into the buffer:
   * false at the end of the input.
   */
  fill(read: (into: Uint8Array) => number | null): boolean {
    const count = read(this.room());
    if (count === null || count === 0) return false;
    this.wrote(count);
    return true;
  }

  /** Adds bytes read elsewhere. */
  push(bytes: Uint8Array): void {
    this.room(bytes.length).set(bytes);
    this.wrote(bytes.length);
  }

  /** The next whole message's body (a view, valid until the next read), or undefined. */
  next(): Uint8Array | undefined {
    const available = this.#end - this.#start;
    if (available < 4) return undefined;
    const b = this.#buffer;
    const s = this.#start;
    const length = (b[s]! | b[s + 1]! << 8 | b[s + 2]! << 16) +
      b[s + 3]! * 0x1000000;
    if (available < 4 + length) return undefined;
    this.#start += 4 + length;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return b.subarray(s + 4, s + 4 + length);
  }
}

/** A message of the child: its type, then its payload. */
export function typed(type: number, payload?: Uint8Array): Uint8Array {
  const length = 1 + (payload?.length ?? 0);
  const message = new Uint8Array(4 + length);
  new DataView(message.buffer).setUint32(0, length, true);
  message[4] = type;
  if (payload !== undefined) message.set(payload, 5);
  return message;
}

/**
 * Cuts a child's outgoing bytes into chunks of one pipe write each, every
 * one headed by the magic number and its length.
 */
export function* chunks(magic: Uint8Array, bytes: Uint8Array) {
  for (let at = 0; at < bytes.length; at += CHUNK_DATA) {
    const data = bytes.subarray(at, at + CHUNK_DATA);
    const chunk = new Uint8Array(CHUNK_HEADER + data.length);
    chunk.set(magic, 0);
    chunk[MAGIC_BYTES] = data.length & 0xff;
    chunk[MAGIC_BYTES + 1] = data.length >> 8;
    chunk.set(data, CHUNK_HEADER);
    yield chunk;
  }
}

/** A fresh magic number for a child's chunks. */
export function newMagic(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(MAGIC_BYTES));
}

/**
 * Reads a child's stderr: the bytes of our chunks go to `messages`, all the
 * rest (the child's own output) to `output`, in order.
 */
export class ChunkParser {
  readonly #magic: Uint8Array;
  readonly #output: (bytes: Uint8Array) => void;
  readonly messages = new MessageReader();
  /** Bytes held back: the start of what may be a chunk. */
  #held = new Uint8Array(0);

  constructor(magic: Uint8Array, output: (bytes: Uint8Array) => void) {
    this.#magic = magic;
    this.#output = output;
  }

  push(input: Uint8Array): void {
    let bytes = input;
    if (this.#held.length > 0) {
      const joined = new Uint8Array(this.#held.length + input.length);
      joined.set(this.#held);
      joined.set(input, this.#held.length);
      bytes = joined;
      this.#held = new Uint8Array(0);
    }
    let at = 0;
    while (at < bytes.length) {
      const start = this.#find(bytes, at);
      if (start > at) this.#output(bytes.slice(at, start));
      if (start === bytes.length) return;
      // A chunk, or the start of one: whole only once its data is here.
      if (bytes.length - start < CHUNK_HEADER) {
        this.#held = bytes.slice(start);
        return;
      }
      const length = bytes[start + MAGIC_BYTES]! |
        bytes[start + MAGIC_BYTES + 1]! << 8;
      const end = start + CHUNK_HEADER + length;
      if (end > bytes.length) {
        this.#held = bytes.slice(start);
        return;
      }
      this.messages.push(bytes.subarray(start + CHUNK_HEADER, end));
      at = end;
    }
  }

  /** What is left at the end: output after all. */
  flush(): void {
    if (this.#held.length > 0) this.#output(this.#held);
    this.#held = new Uint8Array(0);
  }

  /**
   * Where the next chunk may start from `at`: a whole magic number, or a
   * start of one at the very end; bytes.length if neither.
   */
  #find(bytes: Uint8Array, from: number): number {
    const first = this.#magic[0]!;
    for (
      let at = bytes.indexOf(first, from);
      at >= 0;
      at = bytes.indexOf(first, at + 1)
    ) {
      const whole = Math.min(MAGIC_BYTES, bytes.length - at);
      let match = true;
      for (let i = 1; i < whole; i++) {
        if (bytes[at + i] !== this.#magic[i]) {
          match = false;
          break;
        }
      }
      if (match) return at;
    }
    return bytes.length;
  }
}
