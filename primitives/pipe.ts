// Python's multiprocessing.Pipe across Workers: two connections over one or
// two unbounded FIFO channels (QueueCore), one per direction.
//
// Words of a pipe, shared by both ends: [magic, duplex, closed of end 0,
// closed of end 1]. End `e` writes channel `e` and reads channel `1 - e`; a
// one-way pipe has only channel 1, so end 0 (Python's conn1) only receives
// and end 1 only sends.

import "./_codec_clone.ts"; // node:v8 for the codec
import {
  ConnectionClosedError,
  EOFError,
  QueueEmpty,
  QueueShutDown,
} from "./errors.ts";
import { encode } from "./_codec.ts";
import { runAsync, runSync } from "./_futex.ts";
import {
  type Handle,
  Layout,
  pinned,
  Rebuild,
  registerKind,
  track,
} from "./_handle.ts";
import {
  checkObject,
  parseWait,
  quote,
  type WaitOptions,
} from "../internal/options.ts";
import { QUEUE_WORDS, QueueCore, type QueueHandle } from "./_queue_core.ts";
import { FIFO, type StoredItem } from "./_store.ts";

const DUPLEX = 1;
const CLOSED = 2; // + end
const WORDS = 4;

const pipeLayout = new Layout("Connection", 0x434f4e4e, WORDS);
const channelLayout = new Layout("Pipe", 0x50495045, QUEUE_WORDS);

/** One direction of a pipe; `undefined` for the missing one of a one-way pipe. */
type Channels = readonly [QueueCore | undefined, QueueCore];

// What `Pipe()` and `from()` hand the constructor, which refuses to run
// without it.
const rebuild = new Rebuild<
  { words: Int32Array; end: 0 | 1; channels: Channels; opened: boolean }
>();

/** Options of {@linkcode Pipe}. */
export interface PipeOptions {
  /**
   * Whether both connections can send and receive (the default, `true`).
   * With `false`, the first connection only receives and the second only
   * sends, as in Python.
   */
  duplex?: boolean;
}

/**
 * The handle of a {@linkcode Connection}: the pipe's words, the handles of
 * its channels in `parts`, and which end of the pipe it is.
 */
export interface ConnectionHandle extends Handle {
  /** The end of the pipe: 0 for the first connection, 1 for the second. */
  readonly end: 0 | 1;
  /** The channels: both of a duplex pipe, the only one of a one-way pipe. */
  readonly parts: readonly QueueHandle[];
}

/**
 * One end of a {@linkcode Pipe}, like Python's
 * `multiprocessing.connection.Connection`: {@linkcode Connection.send}
 * puts a message in the other end's inbox and never waits;
 * {@linkcode Connection.recv} takes the next one, in order. Messages are
 * plain data or anything structured clone can carry, and the
 * primitives of this module (a Lock, an Event, ...) arrive as the same class.
 *
 * Pass a connection to a Worker as `connection.handle` and rebuild it there
 * with {@linkcode Connection.from}. All copies are the same connection:
 * closing it in any thread closes it in all of them (unlike Python, where
 * each process closes its own copy), so do not close an end you handed to
 * a Worker. Once one end is closed, the other receives what was already sent
 * and then gets {@linkcode EOFError}, and its `send` throws
 * {@linkcode ConnectionClosedError}. Times are in milliseconds.
 *
 * @typeParam T The messages.
 *
 * @example Ask and answer
 * ```ts
 * import { Pipe } from "@parallel/parallel";
 * import { strictEqual } from "node:assert/strict";
 *
 * const [parent, child] = Pipe<string>();
 * const answer = (async () => {
 *   const question = await child.recv();
 *   child.send(`${question}? 42`);
 * })();
 * parent.send("the answer");
 * strictEqual(await parent.recv(), "the answer? 42");
 * await answer;
 * ```
 */
export class Connection<T = unknown> implements Disposable {
  readonly #words: Int32Array;
  readonly #end: 0 | 1;
  readonly #channels: Channels;

  static {
    registerKind(
      "Connection",
      (handle) => Connection.from(handle as ConnectionHandle),
      Connection,
      (connection: Connection) =>
        connectionHandle(
          connection.#words,
          connection.#end,
          connection.#channels,
        ),
    );
  }

  /**
   * Connections are made by {@linkcode Pipe} and rebuilt by
   * {@linkcode Connection.from}; calling the constructor directly throws.
   *
   * @throws {TypeError} Always, when called directly.
   *
   * @example Make connections with Pipe
   * ```ts
   * import { Connection, Pipe } from "@parallel/parallel";
   * import { ok, throws } from "node:assert/strict";
   *
   * throws(() => new Connection(), TypeError);
   * ok(Pipe()[0] instanceof Connection);
   * ```
   */
  constructor() {
    const made = rebuild.take();
    if (made === undefined) {
      throw new TypeError(
        "Cannot construct Connection directly: use Pipe() or Connection.from(handle)",
      );
    }
    this.#words = made.words;
    this.#end = made.end;
    this.#channels = made.channels;
    track(this, this.#words, made.opened, "Connection");
  }

  /**
   * Rebuilds a connection from its {@linkcode Connection.handle}, in any
   * thread.
   *
   * @typeParam T The messages.
   * @param handle A handle made by `connection.handle`.
   * @returns A Connection that is the same end of the same pipe.
   * @throws {TypeError} If `handle` is not the handle of a Connection.
   *
   * @example Send through a rebuilt end
   * ```ts
   * import { Connection, Pipe } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const [a, b] = Pipe<number>();
   * Connection.from<number>(structuredClone(a.handle)).send(7);
   * strictEqual(b.recvSync(), 7);
   * ```
   */
  static from<T = unknown>(handle: ConnectionHandle): Connection<T> {
    const where = "Cannot create Connection from handle";
    const parts = typeof handle === "object" && handle !== null &&
        Array.isArray(handle.parts)
      ? handle.parts
      : [];
    const words = pipeLayout.open(handle, parts.length === 1 ? 1 : 2);
    const end = handle.end;
    if (end !== 0 && end !== 1) {
      throw new TypeError(
        `${where}: 'end' must be 0 or 1, received ${quote(end)}`,
      );
    }
    // Its block is built on one channel per direction (`open` counted them).
    const duplex = Atomics.load(words, DUPLEX) === 1;
    pipeLayout.checkParts(words, handle);
    const cores = parts.map((part) => QueueCore.open(channelLayout, part));
    const channels: Channels = duplex
      ? [cores[0], cores[1]!]
      : [undefined, cores[0]!];
    return rebuild.with(
      { words, end, channels, opened: true },
      () => new Connection<T>(),
    );
  }

  /**
   * A structured-cloneable handle to send to a Worker (with `postMessage`),
   * where {@linkcode Connection.from} turns it back into this connection.
   *
   * @example Read the handle's kind and end
   * ```ts
   * import { Pipe } from "@parallel/parallel";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * deepStrictEqual([a.handle.kind, a.handle.end, b.handle.end], [
   *   "Connection",
   *   0,
   *   1,
   * ]);
   * ```
   */
  get handle(): ConnectionHandle {
    return pinned(connectionHandle(this.#words, this.#end, this.#channels));
  }

  /**
   * Whether this connection is closed, by {@linkcode Connection.close} in
   * any thread. (The other end being closed does not close this one.)
   *
   * @example Closed after close
   * ```ts
   * import { Pipe } from "@parallel/parallel";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * a.close();
   * deepStrictEqual([a.closed, b.closed], [true, false]);
   * ```
   */
  get closed(): boolean {
    return Atomics.load(this.#words, CLOSED + this.#end) !== 0;
  }

  /**
   * Whether this connection can receive: both ends of a duplex pipe, the
   * first of a one-way pipe.
   *
   * @example The ends of a one-way pipe
   * ```ts
   * import { Pipe } from "@parallel/parallel";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const [reader, writer] = Pipe({ duplex: false });
   * deepStrictEqual([reader.readable, writer.readable], [true, false]);
   * ```
   */
  get readable(): boolean {
    return this.#channels[1 - this.#end] !== undefined;
  }

  /**
   * Whether this connection can send: both ends of a duplex pipe, the
   * second of a one-way pipe.
   *
   * @example The ends of a one-way pipe
   * ```ts
   * import { Pipe } from "@parallel/parallel";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const [reader, writer] = Pipe({ duplex: false });
   * deepStrictEqual([reader.writable, writer.writable], [false, true]);
   * ```
   */
  get writable(): boolean {
    return this.#channels[this.#end] !== undefined;
  }

  /**
   * Sends a message to the other end. It is encoded at once (later changes
   * to it do not travel) and never waits: a pipe is unbounded.
   *
   * @param message The message.
   * @throws {TypeError} If this end cannot send (the first connection of a
   * one-way pipe), or the message cannot travel (a function, a symbol).
   * @throws {ConnectionClosedError} If this connection or the other end is
   * closed.
   *
   * @example Maps and dates travel too
   * ```ts
   * import { Pipe } from "@parallel/parallel";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const [a, b] = Pipe<Map<string, Date>>();
   * a.send(new Map([["epoch", new Date(0)]]));
   * deepStrictEqual(b.recvSync(), new Map([["epoch", new Date(0)]]));
   * ```
   */
  send(message: T): void {
    const channel = this.#open("send on", this.#end, "read-only");
    const encoded = encode(message, channel.heap, "Cannot send on Connection");
    try {
      runSync(channel.putSteps(encoded, 0, Infinity));
    } catch (error) {
      throw error instanceof QueueShutDown
        ? this.#closedError("send on")
        : error;
    }
  }

  /**
   * Receives the next message, waiting without blocking the event loop
   * while there is none.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal`.
   * @returns The message.
   * @throws {EOFError} If the other end is closed and every message it sent
   * was received.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   * @throws {TypeError} If this end cannot receive (the second connection of
   * a one-way pipe).
   * @throws {ConnectionClosedError} If this connection is closed.
   *
   * @example Wait for a message
   * ```ts
   * import { Pipe } from "@parallel/parallel";
   * import { rejects, strictEqual } from "node:assert/strict";
   *
   * const [a, b] = Pipe<string>();
   * setTimeout(() => a.send("late"), 5);
   * strictEqual(await b.recv({ timeout: 1000 }), "late");
   * await rejects(b.recv({ timeout: 5 }), { name: "TimeoutError" });
   * ```
   */
  async recv(options?: WaitOptions): Promise<T> {
    const channel = this.#open("receive on", 1 - this.#end, "write-only");
    const { deadline, signal } = parseWait(
      "Cannot receive on Connection",
      options,
    );
    signal?.throwIfAborted();
    let item: StoredItem;
    try {
      item = await runAsync(channel.getSteps(deadline), signal);
    } catch (error) {
      throw this.#recvError(error, options);
    }
    return channel.decodeTaken(item) as T;
  }

  /**
   * Receives the next message, blocking the thread while there is none.
   *
   * @param options `timeout` in milliseconds, and an `AbortSignal` checked
   * before the thread blocks.
   * @returns The message.
   * @throws {EOFError} If the other end is closed and every message it sent
   * was received.
   * @throws {DOMException} A `TimeoutError` if the timeout passed first.
   * @throws {TypeError} If this end cannot receive.
   * @throws {ConnectionClosedError} If this connection is closed.
   *
   * @example Drain, then the end of the stream
   * ```ts
   * import { EOFError, Pipe } from "@parallel/parallel";
   * import { strictEqual, throws } from "node:assert/strict";
   *
   * const [reader, writer] = Pipe<number>({ duplex: false });
   * writer.send(1);
   * writer.close();
   * strictEqual(reader.recvSync(), 1);
   * throws(() => reader.recvSync(), EOFError);
   * ```
   */
  recvSync(options?: WaitOptions): T {
    const channel = this.#open("receive on", 1 - this.#end, "write-only");
    const { deadline, signal } = parseWait(
      "Cannot receive on Connection",
      options,
    );
    signal?.throwIfAborted();
    let item: StoredItem;
    try {
      item = runSync(channel.getSteps(deadline), signal);
    } catch (error) {
      throw this.#recvError(error, options);
    }
    return channel.decodeTaken(item) as T;
  }

  /**
   * Whether `recv` would return at once, waiting without blocking the event
   * loop until it would: `true` if a message is waiting or the other end is
   * closed (`recv` then throws {@linkcode EOFError}), `false` if the timeout
   * passed first. As in Python, the timeout defaults to 0 (look, do not
   * wait); pass `{ timeout: Infinity }` to wait for as long as it takes.
   *
   * @param options `timeout` in milliseconds (default 0), and an
   * `AbortSignal`.
   * @returns Whether a message (or the end of the stream) is there.
   * @throws {TypeError} If this end cannot receive.
   * @throws {ConnectionClosedError} If this connection is closed.
   *
   * @example Poll before and after a send
   * ```ts
   * import { Pipe } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * strictEqual(await b.poll(), false);
   * setTimeout(() => a.send("hi"), 5);
   * strictEqual(await b.poll({ timeout: 1000 }), true);
   * ```
   */
  async poll(options?: WaitOptions): Promise<boolean> {
    const channel = this.#open("poll", 1 - this.#end, "write-only");
    const { deadline, signal } = pollWait(options);
    signal?.throwIfAborted();
    const ready = await runAsync(channel.readySteps(deadline), signal);
    this.#open("poll", 1 - this.#end, "write-only");
    return ready;
  }

  /**
   * Whether `recvSync` would return at once, blocking the thread until it
   * would: `true` if a message is waiting or the other end is closed,
   * `false` if the timeout passed first. The timeout defaults to 0.
   *
   * @param options `timeout` in milliseconds (default 0), and an
   * `AbortSignal` checked before the thread blocks.
   * @returns Whether a message (or the end of the stream) is there.
   * @throws {TypeError} If this end cannot receive.
   * @throws {ConnectionClosedError} If this connection is closed.
   *
   * @example The end of the stream counts as ready
   * ```ts
   * import { Pipe } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * strictEqual(b.pollSync({ timeout: 5 }), false);
   * a.close();
   * strictEqual(b.pollSync(), true);
   * ```
   */
  pollSync(options?: WaitOptions): boolean {
    const channel = this.#open("poll", 1 - this.#end, "write-only");
    const { deadline, signal } = pollWait(options);
    signal?.throwIfAborted();
    const ready = runSync(channel.readySteps(deadline), signal);
    this.#open("poll", 1 - this.#end, "write-only");
    return ready;
  }

  /**
   * Closes this connection, in every thread that holds it. The other end
   * still receives what this one sent, then gets {@linkcode EOFError}; its
   * `send` throws {@linkcode ConnectionClosedError}, and what it had sent
   * that this end did not receive is dropped. Threads waiting in this end's
   * `recv` or `poll` wake with a ConnectionClosedError. Closing twice does
   * nothing.
   *
   * @example Close with `using`
   * ```ts
   * import { EOFError, Pipe } from "@parallel/parallel";
   * import { throws } from "node:assert/strict";
   *
   * const [a, b] = Pipe();
   * {
   *   using _ = a;
   * }
   * throws(() => b.recvSync(), EOFError);
   * ```
   */
  close(): void {
    const end = this.#end;
    if (Atomics.exchange(this.#words, CLOSED + end, 1) !== 0) return;
    const writes = this.#channels[end];
    const reads = this.#channels[1 - end];
    writes?.shutdown(false);
    reads?.shutdown(true);
  }

  /**
   * Closes the connection, for `using`: the same as
   * {@linkcode Connection.close}.
   *
   * @example Dispose
   * ```ts
   * import { Pipe } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * const [a] = Pipe();
   * a[Symbol.dispose]();
   * strictEqual(a.closed, true);
   * ```
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The channel for a call, after checking this end may use it. */
  #open(verb: string, channel: number, role: string): QueueCore {
    if (this.closed) {
      throw new ConnectionClosedError(
        `Cannot ${verb} Connection: it is closed`,
      );
    }
    const core = this.#channels[channel];
    if (core === undefined) {
      throw new TypeError(
        `Cannot ${verb} Connection: it is ${role} (an end of a one-way Pipe)`,
      );
    }
    return core;
  }

  #closedError(verb: string): ConnectionClosedError {
    return new ConnectionClosedError(
      this.closed
        ? `Cannot ${verb} Connection: it is closed`
        : `Cannot ${verb} Connection: the other end is closed`,
    );
  }

  #recvError(error: unknown, options: WaitOptions | undefined): unknown {
    if (error instanceof QueueEmpty) {
      return new DOMException(
        `Timed out after ${options?.timeout} ms waiting to receive on Connection`,
        "TimeoutError",
      );
    }
    if (error instanceof QueueShutDown) {
      return this.closed ? this.#closedError("receive on") : new EOFError(
        "Cannot receive on Connection: the other end is closed and every message it sent was received",
      );
    }
    return error;
  }
}

/** A poll's `{ timeout, signal }`, where the timeout defaults to 0. */
function pollWait(
  options: WaitOptions | undefined,
): { deadline: number; signal: AbortSignal | undefined } {
  const parsed = parseWait("Cannot poll Connection", options);
  return options?.timeout === undefined
    ? { deadline: performance.now(), signal: parsed.signal }
    : parsed;
}

/**
 * Makes a pipe, like Python's `multiprocessing.Pipe`: two connected
 * {@linkcode Connection}s. By default both can send and receive; with
 * `{ duplex: false }` the first only receives and the second only sends.
 * Hand one end to a Worker as `connection.handle`.
 *
 * @typeParam T The messages.
 * @param options `duplex`: whether both ends send and receive (default
 * `true`).
 * @returns The two ends; for a one-way pipe, `[reader, writer]`.
 * @throws {TypeError} If `duplex` is not a boolean.
 *
 * @example A one-way pipe
 * ```ts
 * import { EOFError, Pipe } from "@parallel/parallel";
 * import { deepStrictEqual, throws } from "node:assert/strict";
 *
 * const [reader, writer] = Pipe<number>({ duplex: false });
 * for (const n of [1, 2, 3]) writer.send(n);
 * writer.close();
 * const received = [];
 * try {
 *   for (;;) received.push(reader.recvSync());
 * } catch (error) {
 *   if (!(error instanceof EOFError)) throw error;
 * }
 * deepStrictEqual(received, [1, 2, 3]);
 * throws(() => reader.send(4), TypeError);
 * ```
 */
export function Pipe<T = unknown>(
  options?: PipeOptions,
): [Connection<T>, Connection<T>] {
  checkObject("Cannot create Pipe", "options", options);
  const duplex = options?.duplex ?? true;
  if (typeof duplex !== "boolean") {
    throw new TypeError(
      `Cannot create Pipe: 'duplex' must be a boolean, received ${
        quote(duplex)
      }`,
    );
  }
  const channel = () => QueueCore.create(channelLayout, FIFO, 0, undefined);
  const channels: Channels = [duplex ? channel() : undefined, channel()];
  const parts = channels.filter((c) => c !== undefined).map((c) => c.words);
  const words = pipeLayout.allocate(WORDS, parts);
  Atomics.store(words, DUPLEX, duplex ? 1 : 0);
  const end = (end: 0 | 1) =>
    rebuild.with(
      { words, end, channels, opened: false },
      () => new Connection<T>(),
    );
  return [end(0), end(1)];
}

/** The handle of a connection, not pinned. */
function connectionHandle(
  words: Int32Array,
  end: 0 | 1,
  [first, second]: Channels,
): ConnectionHandle {
  const parts = first === undefined
    ? [second.handle]
    : [first.handle, second.handle];
  return { ...pipeLayout.handle(words, parts), parts, end };
}
