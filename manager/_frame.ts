// Frames on a Manager's connections: a 4-byte big-endian length, then that
// many bytes. A frame longer than the limit, cut short, or a connection
// that sends garbage ends that connection only (ARCHITECTURE.md, "The
// Manager").

import { concatBytes } from "../internal/bytes.ts";

/** The default largest frame: 64 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** A connection broke the framing (the connection is closed). */
export class FrameError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "FrameError";
  }
}

/** The bytes of a frame's header: its payload's length, big-endian. */
export const HEADER_BYTES = 4;

/** A frame of `payload`: a header's room, then a copy of it. */
export function frameOf(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(HEADER_BYTES + payload.length);
  frame.set(payload, HEADER_BYTES);
  return frame;
}

/**
 * The bytes read from a connection and the whole frames among them, for a
 * reader that reads however it can (`FrameReader` awaiting a `Deno.Conn`,
 * a proxy's Sync methods blocking on a socket).
 */
export class FrameBuffer {
  /** What was read and not yet taken: `#buffer[#start, #end)`. */
  #buffer = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  /** The longest frame accepted (it may change between frames). */
  maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Whether it holds no byte of a frame. */
  get empty(): boolean {
    return this.#start === this.#end;
  }

  /**
   * The payload's length of the frame at `#start`, once its header is
   * buffered (undefined before).
   */
  #length(): number | undefined {
    if (this.#end - this.#start < HEADER_BYTES) return undefined;
    const b = this.#buffer;
    const at = this.#start;
    const length = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) |
      b[at + 3]!) >>> 0;
    if (length > this.maxBytes) {
      throw new FrameError(
        `A frame of ${length} bytes is longer than the limit of ${this.maxBytes}`,
      );
    }
    return length;
  }

  /**
   * The next whole frame's payload, as a view valid until `space` is next
   * called; undefined until one is buffered.
   *
   * @throws {FrameError} For a frame longer than the limit.
   */
  take(): Uint8Array | undefined {
    const length = this.#length();
    if (
      length === undefined || this.#end - this.#start < HEADER_BYTES + length
    ) {
      return undefined;
    }
    const at = this.#start + HEADER_BYTES;
    this.#start = at + length;
    return this.#buffer.subarray(at, at + length);
  }

  /**
   * Where the next read goes: after what is buffered, with room for the
   * whole of the frame being read (the buffer grows for a large one).
   */
  space(): Uint8Array {
    if (this.#start === this.#end) this.#start = this.#end = 0;
    const bytes = HEADER_BYTES + (this.#length() ?? 0);
    if (this.#start + bytes > this.#buffer.length) {
      // Move what is left to the front, into a larger buffer if need be.
      const buffer = bytes > this.#buffer.length
        ? new Uint8Array(bytes)
        : this.#buffer;
      if (buffer === this.#buffer) {
        buffer.copyWithin(0, this.#start, this.#end);
      } else buffer.set(this.#buffer.subarray(this.#start, this.#end));
      this.#buffer = buffer;
      this.#end -= this.#start;
      this.#start = 0;
    }
    return this.#buffer.subarray(this.#end);
  }

  /** Counts `read` bytes that a read put into `space()`. */
  filled(read: number): void {
    this.#end += read;
  }

  /** The error for a connection that ended here (inside a frame). */
  ended(): FrameError {
    const length = this.#end - this.#start < HEADER_BYTES
      ? undefined
      : this.#length();
    return new FrameError(
      length === undefined
        ? "The connection ended inside a frame's length"
        : `The connection ended inside a frame of ${length} bytes`,
    );
  }
}

/**
 * Reads whole frames from a connection: one at a time with `next` (a
 * handshake), or every one as it comes with `each` (a connection's life).
 */
export class FrameReader {
  readonly #conn: Deno.Conn;
  readonly #frames: FrameBuffer;

  constructor(conn: Deno.Conn, maxBytes: number) {
    this.#conn = conn;
    this.#frames = new FrameBuffer(maxBytes);
  }

  /** The longest frame accepted (it may change between frames). */
  get maxBytes(): number {
    return this.#frames.maxBytes;
  }

  set maxBytes(bytes: number) {
    this.#frames.maxBytes = bytes;
  }

  /**
   * The next frame's payload (a copy), or null when the peer closed
   * between frames.
   *
   * @throws {FrameError} For a frame too long or cut short.
   */
  async next(): Promise<Uint8Array | null> {
    for (;;) {
      const payload = this.#frames.take();
      if (payload !== undefined) return payload.slice();
      const read = await this.#conn.read(this.#frames.space());
      if (read === null) {
        if (this.#frames.empty) return null;
        throw this.#frames.ended();
      }
      this.#frames.filled(read);
    }
  }

  /**
   * Hands each frame's payload to `onFrame` as it arrives, until the peer
   * closes the connection between frames. The payload is a view of this
   * reader's buffer, valid only until `onFrame` returns; a frame is read
   * with one promise reaction, not a chain of async calls, because each
   * one costs microseconds on a path of tens.
   *
   * @throws {FrameError} (the promise rejects) For a frame too long or cut
   * short; and with what `onFrame` threw, which ends the reading.
   */
  each(onFrame: (payload: Uint8Array) => void): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const frames = this.#frames;
    const onRead = (read: number | null): void => {
      try {
        if (read === null) {
          if (frames.empty) resolve();
          else reject(frames.ended());
          return;
        }
        frames.filled(read);
        for (let payload; (payload = frames.take()) !== undefined;) {
          onFrame(payload);
        }
        this.#conn.read(frames.space()).then(onRead, reject);
      } catch (error) {
        reject(error);
      }
    };
    onRead(0);
    return promise;
  }
}

/**
 * Writes frames to a connection, one after another. A frame written while
 * none is in flight goes out at once; those written meanwhile go out
 * together, in one write, once it is done. Writes are chained by promise
 * reactions rather than an async loop, for the same reason as `each`.
 */
export class FrameWriter {
  readonly #conn: Deno.Conn;
  readonly #maxBytes: number;
  #queued: Uint8Array[] = [];
  /** The writes in flight and those queued behind them; undefined if none. */
  #flushing: PromiseWithResolvers<void> | undefined;

  constructor(conn: Deno.Conn, maxBytes: number) {
    this.#conn = conn;
    this.#maxBytes = maxBytes;
  }

  /**
   * Sends one frame (`HEADER_BYTES` of room, which this sets, then the
   * payload), after those sent before it; settles once it is written (or
   * rejects, with every frame queued with it, if the connection fails).
   *
   * @throws {RangeError} If it is longer than the limit (nothing is sent).
   */
  write(frame: Uint8Array): Promise<void> {
    const length = frame.length - HEADER_BYTES;
    if (length > this.#maxBytes) {
      throw new RangeError(
        `Cannot send ${length} bytes to a Manager: the limit is ${this.#maxBytes} (the 'maxFrameBytes' option)`,
      );
    }
    frame[0] = length >>> 24;
    frame[1] = length >>> 16;
    frame[2] = length >>> 8;
    frame[3] = length;
    this.#queued.push(frame);
    if (this.#flushing === undefined) {
      this.#flushing = Promise.withResolvers<void>();
      this.#send();
    }
    return this.#flushing.promise;
  }

  #send(): void {
    const frames = this.#queued;
    this.#queued = [];
    const bytes = concatBytes(frames);
    const fail = (error: unknown) => {
      const flushing = this.#flushing!;
      this.#queued = [];
      this.#flushing = undefined;
      flushing.reject(error);
    };
    const onWritten = (at: number) => {
      if (at < bytes.length) {
        this.#conn.write(bytes.subarray(at)).then(
          (wrote) => onWritten(at + wrote),
          fail,
        );
      } else if (this.#queued.length > 0) {
        this.#send();
      } else {
        const flushing = this.#flushing!;
        this.#flushing = undefined;
        flushing.resolve();
      }
    };
    this.#conn.write(bytes).then(onWritten, fail);
  }
}
