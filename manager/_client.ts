// A connection to a Manager, shared by the proxies of one thread: it proves
// the key (and has the server prove it), then multiplexes calls by id. An
// idle connection does not keep the program alive; a lost one rejects the
// calls in flight at once, and the next call connects again.

import {
  answerChallenge,
  AuthenticationError,
  deliverChallenge,
} from "./_auth.ts";
import { FrameReader, FrameWriter } from "./_frame.ts";
import {
  type Cancel,
  decodeMessage,
  encodeMessage,
  type Reply,
  type Request,
} from "./_messages.ts";
import { type Address, addressName } from "./_address.ts";
import { ManagerConnectionError, remoteError } from "./errors.ts";

/** How long a call may wait, and what stops it. */
export interface ProxyCallOptions {
  /** How long the server may wait, in milliseconds (forever if none). */
  readonly timeout?: number | undefined;
  /** Asks the server to stop the wait. */
  readonly signal?: AbortSignal | undefined;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class ManagerClient {
  readonly address: Address;
  readonly #conn: Deno.Conn;
  readonly #writer: FrameWriter;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #lost: Error | undefined;
  #released: number[] = [];

  private constructor(address: Address, conn: Deno.Conn, writer: FrameWriter) {
    this.address = address;
    this.#conn = conn;
    this.#writer = writer;
  }

  /**
   * Connects and proves the key both ways.
   *
   * @throws {AuthenticationError} If either side's key is wrong.
   * @throws {ManagerConnectionError} If nothing answers at `address`.
   */
  static async connect(
    address: Address,
    authkey: Uint8Array,
    maxFrameBytes: number,
  ): Promise<ManagerClient> {
    let conn: Deno.Conn;
    try {
      conn = address.transport === "unix"
        ? await Deno.connect(address)
        : await Deno.connect(address);
    } catch (error) {
      throw new ManagerConnectionError(
        `Cannot connect to the Manager at ${addressName(address)}: ${
          (error as Error).message
        }`,
      );
    }
    // Calls are small round trips: Nagle's algorithm would hold each one
    // back for the peer's delayed acknowledgement.
    if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
    const reader = new FrameReader(conn, 1024);
    const writer = new FrameWriter(conn, maxFrameBytes);
    try {
      await answerChallenge(reader, writer, authkey);
      await deliverChallenge(reader, writer, authkey);
    } catch (error) {
      conn.close();
      if (error instanceof AuthenticationError) throw error;
      throw new ManagerConnectionError(
        `Cannot connect to the Manager at ${addressName(address)}: ${
          (error as Error).message
        }`,
      );
    }
    reader.maxBytes = maxFrameBytes;
    const client = new ManagerClient(address, conn, writer);
    conn.unref();
    client.#read(reader);
    return client;
  }

  /** Whether the connection was lost (or closed). */
  get lost(): boolean {
    return this.#lost !== undefined;
  }

  #read(reader: FrameReader): void {
    reader.each((payload) => {
      const reply = decodeMessage(payload) as Reply;
      const pending = this.#pending.get(reply[0]);
      if (pending === undefined) return;
      this.#settled(reply[0]);
      if (reply.length === 3) pending.reject(remoteError(reply[2]));
      else pending.resolve(reply[1]);
    }).then(
      () => this.#lose("the Manager closed the connection"),
      (error) => this.#lose((error as Error).message),
    );
  }

  #settled(id: number): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0 && this.#lost === undefined) {
      this.#conn.unref();
    }
  }

  #lose(why: string): void {
    this.#lost ??= new ManagerConnectionError(
      `The connection to the Manager at ${
        addressName(this.address)
      } was lost: ${why}`,
    );
    for (const pending of this.#pending.values()) pending.reject(this.#lost);
    this.#pending.clear();
    try {
      this.#conn.close();
    } catch { /* closed already */ }
  }

  /**
   * Calls `method` of served object `target` (0: the Manager). An abort
   * asks the server to stop the wait, and the call settles with what the
   * server did (a lock it acquired meanwhile is acquired).
   */
  call(
    target: number,
    method: string,
    args: readonly unknown[],
    options: ProxyCallOptions = {},
  ): Promise<unknown> {
    if (this.#lost !== undefined) return Promise.reject(this.#lost);
    const { timeout, signal } = options;
    signal?.throwIfAborted();
    const id = this.#nextId++;
    const request: Request = timeout === undefined
      ? [id, target, method, args as unknown[]]
      : [id, target, method, args as unknown[], timeout];
    const frame = encodeMessage(request, `${method}()`);
    // A frame past the limit throws here, before anything is pending.
    const sent = this.#writer.write(frame);
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    if (this.#pending.size === 0) this.#conn.ref();
    this.#pending.set(id, { resolve, reject });
    sent.catch((error) => this.#lose(error.message));
    if (signal !== undefined) {
      const cancel = () => {
        if (!this.#pending.has(id) || this.#lost !== undefined) return;
        this.#writer.write(encodeMessage([id] satisfies Cancel, "abort"))
          .catch(() => {});
      };
      signal.addEventListener("abort", cancel, { once: true });
      promise.finally(() => signal.removeEventListener("abort", cancel))
        .catch(() => {});
    }
    return promise;
  }

  /**
   * Tells the Manager that nothing can reach object `id` any more, with the
   * others of the same moment in one request. It answers nothing worth
   * waiting for.
   */
  release(id: number): void {
    if (this.#lost !== undefined) return;
    this.#released.push(id);
    if (this.#released.length > 1) return;
    queueMicrotask(() => {
      const ids = this.#released;
      this.#released = [];
      this.call(0, "release", [ids]).catch(() => {});
    });
  }

  /** Closes the connection; calls in flight reject. */
  close(): void {
    this.#lose("it was closed");
  }
}

/** This thread's connections, by address and key. */
const clients = new Map<string, Promise<ManagerClient>>();

/** Which connection of this thread serves `address` and `authkey`. */
export function clientKey(address: Address, authkey: Uint8Array): string {
  return `${addressName(address)}/${Array.from(authkey).join(",")}`;
}

/**
 * Closes this thread's connection to a Manager, if it has one (without
 * making one to close, which would fail once the server is gone).
 */
export async function closeClient(
  address: Address,
  authkey: Uint8Array,
): Promise<void> {
  const key = clientKey(address, authkey);
  const known = clients.get(key);
  if (known === undefined) return;
  clients.delete(key);
  (await known.catch(() => undefined))?.close();
}

/** This thread's connection to a Manager, made on first use. */
export function clientFor(
  address: Address,
  authkey: Uint8Array,
  maxFrameBytes: number,
): Promise<ManagerClient> {
  const key = clientKey(address, authkey);
  const known = clients.get(key);
  if (known !== undefined) {
    return known.then((client) => {
      if (!client.lost) return client;
      clients.delete(key);
      return clientFor(address, authkey, maxFrameBytes);
    });
  }
  const made = ManagerClient.connect(address, authkey, maxFrameBytes);
  clients.set(key, made);
  made.catch(() => clients.delete(key));
  return made;
}
