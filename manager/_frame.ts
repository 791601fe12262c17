// Frames on a Manager's connections: a 4-byte big-endian length, then that
// many bytes. A frame longer than the limit, cut short, or a connection
// that sends garbage ends that connection only (ARCHITECTURE.md, "The
// Manager").

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

/** Reads whole frames from a connection. */
export class FrameReader {
  readonly #conn: Deno.Conn;
  /** What was read and not yet taken: `#buffer[#start, #end)`. */
  #buffer = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  /** The longest frame accepted (it may change between frames). */
  maxBytes: number;

  constructor(conn: Deno.Conn, maxBytes: number) {
    this.#conn = conn;
    this.maxBytes = maxBytes;
  }

  /** Reads until `bytes` are buffered; false at the end of the stream. */
  async #fill(bytes: number): Promise<boolean> {
    if (this.#end - this.#start >= bytes) return true;
    if (this.#start + bytes > this.#buffer.length) {
      // Move what is left to the front, into a larger buffer if need be.
      const buffer = bytes > this.#buffer.length
        ? new Uint8Array(bytes)
        : this.#buffer;
      buffer.copyWithin(0, this.#start, this.#end);
      if (buffer !== this.#buffer) {
        buffer.set(this.#buffer.subarray(this.#start, this.#end));
      }
      this.#buffer = buffer;
      this.#end -= this.#start;
      this.#start = 0;
    }
    while (this.#end - this.#start < bytes) {
      const read = await this.#conn.read(this.#buffer.subarray(this.#end));
      if (read === null) return false;
      this.#end += read;
    }
    return true;
  }

  #take(bytes: number): Uint8Array {
    const taken = this.#buffer.slice(this.#start, this.#start + bytes);
    this.#start += bytes;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return taken;
  }

  /**
   * The next frame, or null when the peer closed between frames.
   *
   * @throws {FrameError} For a frame too long or cut short.
   */
  async next(): Promise<Uint8Array | null> {
    if (!await this.#fill(4)) {
      if (this.#end === this.#start) return null;
      throw new FrameError("The connection ended inside a frame's length");
    }
    const b = this.#buffer;
    const at = this.#start;
    const length = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) |
      b[at + 3]!) >>> 0;
    if (length > this.maxBytes) {
      throw new FrameError(
        `A frame of ${length} bytes is longer than the limit of ${this.maxBytes}`,
      );
    }
    this.#start += 4;
    if (!await this.#fill(length)) {
      throw new FrameError(
        `The connection ended inside a frame of ${length} bytes`,
      );
    }
    return this.#take(length);
  }
}

/**
 * Writes frames to a connection, one after another. A frame written while
 * none is in flight goes out at once; those written meanwhile go out
 * together, in one write, once it is done.
 */
export class FrameWriter {
  readonly #conn: Deno.Conn;
  readonly #maxBytes: number;
  #queued: Uint8Array[] = [];
  /** The writes in flight and those queued behind them; undefined if none. */
  #flushing: Promise<void> | undefined;

  constructor(conn: Deno.Conn, maxBytes: number) {
    this.#conn = conn;
    this.#maxBytes = maxBytes;
  }

  /**
   * Sends one frame, after those sent before it; settles once it is written
   * (or rejects, with every frame queued with it, if the connection fails).
   *
   * @throws {RangeError} If it is longer than the limit (nothing is sent).
   */
  write(payload: Uint8Array): Promise<void> {
    if (payload.length > this.#maxBytes) {
      throw new RangeError(
        `Cannot send ${payload.length} bytes to a Manager: the limit is ${this.#maxBytes} (the 'maxFrameBytes' option)`,
      );
    }
    const frame = new Uint8Array(4 + payload.length);
    new DataView(frame.buffer).setUint32(0, payload.length);
    frame.set(payload, 4);
    this.#queued.push(frame);
    this.#flushing ??= this.#flush();
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queued.length > 0) {
        const frames = this.#queued;
        this.#queued = [];
        await writeAll(
          this.#conn,
          frames.length === 1 ? frames[0]! : joinFrames(frames),
        );
      }
    } finally {
      this.#queued = [];
      this.#flushing = undefined;
    }
  }
}

function joinFrames(frames: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const frame of frames) length += frame.length;
  const joined = new Uint8Array(length);
  let at = 0;
  for (const frame of frames) {
    joined.set(frame, at);
    at += frame.length;
  }
  return joined;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) {
    at += await conn.write(bytes.subarray(at));
  }
}
