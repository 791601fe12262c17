// A thread's blocking connection to a Manager, for the Sync methods of its
// proxies: the same frames, handshake and requests as `_client.ts`, on a
// socket that libc reads and writes through FFI, so that a call blocks the
// thread until its reply, as a Python proxy's does, and skips the event
// loop on this side (ARCHITECTURE.md, "The Manager").

import { type Address, addressName } from "./_address.ts";
import { proveKeySync } from "./_auth.ts";
import { clientKey } from "./_client.ts";
import { FrameBuffer } from "./_frame.ts";
import { decodeMessage, encodeMessage, type Reply } from "./_messages.ts";
import { isServedHere } from "./_server.ts";
import { connectSocket, receive, sendAll } from "../primitives/_internals.ts";
import { closeOwnSocket, ownSocket } from "../pools/_thread_sockets.ts";
import { ManagerConnectionError, remoteError } from "./errors.ts";

const LOCALHOST = new Set(["localhost", "127.0.0.1"]);
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `address` as a `sockaddr` of its family. */
function sockaddr(where: string, address: Address): [1 | 2, Uint8Array] {
  if (address.transport === "unix") {
    const path = new TextEncoder().encode(address.path);
    const bytes = new Uint8Array(2 + path.length);
    bytes[0] = 1; // AF_UNIX, little-endian
    bytes.set(path, 2);
    return [1, bytes];
  }
  const hostname = LOCALHOST.has(address.hostname)
    ? "127.0.0.1"
    : address.hostname;
  const octets = IPV4.exec(hostname)?.slice(1).map(Number);
  if (octets === undefined || octets.some((octet) => octet > 255)) {
    throw new TypeError(
      `${where}: the Sync methods reach a Manager by a Unix socket or an IPv4 address, and ${
        JSON.stringify(address.hostname)
      } is a name (use the async methods, or connect by its address)`,
    );
  }
  const bytes = new Uint8Array(16);
  bytes[0] = 2; // AF_INET, little-endian
  bytes[2] = address.port >> 8;
  bytes[3] = address.port & 0xff;
  bytes.set(octets, 4);
  return [2, bytes];
}

/** A blocking connection (see `syncClientFor`). */
export class SyncClient {
  readonly #fd: number;
  readonly #frames: FrameBuffer;
  readonly #name: string;
  #nextId = 1;
  #lost: ManagerConnectionError | undefined;

  constructor(fd: number, name: string, maxFrameBytes: number) {
    this.#fd = fd;
    this.#name = name;
    this.#frames = new FrameBuffer(maxFrameBytes);
  }

  get lost(): boolean {
    return this.#lost !== undefined;
  }

  /** The longest frame accepted (1 KiB until the key is proved). */
  set maxFrameBytes(bytes: number) {
    this.#frames.maxBytes = bytes;
  }

  send(frame: Uint8Array): void {
    const length = frame.length - 4;
    frame[0] = length >>> 24;
    frame[1] = length >>> 16;
    frame[2] = length >>> 8;
    frame[3] = length;
    sendAll(this.#fd, frame);
  }

  next(): Uint8Array | null {
    for (;;) {
      const payload = this.#frames.take();
      if (payload !== undefined) return payload;
      const space = this.#frames.space();
      const read = receive(this.#fd, space);
      if (read === 0) {
        if (this.#frames.empty) return null;
        throw this.#frames.ended();
      }
      this.#frames.filled(read);
    }
  }

  /** Calls `method` of served object `target`, blocking until it answers. */
  call(
    target: number,
    method: string,
    args: readonly unknown[],
    timeout: number | undefined,
  ): unknown {
    if (this.#lost !== undefined) throw this.#lost;
    const id = this.#nextId++;
    const frame = encodeMessage(
      timeout === undefined
        ? [id, target, method, args]
        : [id, target, method, args, timeout],
      `${method}Sync()`,
    );
    if (frame.length - 4 > this.#frames.maxBytes) {
      throw new RangeError(
        `Cannot send ${
          frame.length - 4
        } bytes to a Manager: the limit is ${this.#frames.maxBytes} (the 'maxFrameBytes' option)`,
      );
    }
    let reply: Reply;
    try {
      this.send(frame);
      // Replies come in the order of the requests: one at a time here.
      for (;;) {
        const payload = this.next();
        if (payload === null) throw new Error("the Manager closed it");
        reply = decodeMessage(payload) as Reply;
        if (reply[0] === id) break;
      }
    } catch (error) {
      this.close(`${(error as Error).message}`);
      throw this.#lost;
    }
    if (reply.length === 3) throw remoteError(reply[2]);
    return reply[1];
  }

  close(why = "it was closed"): void {
    if (this.#lost !== undefined) return;
    this.#lost = new ManagerConnectionError(
      `The connection to the Manager at ${this.#name} was lost: ${why}`,
    );
    closeOwnSocket(this.#fd);
  }
}

/** This thread's blocking connections, by address and key. */
const clients = new Map<string, SyncClient>();

/**
 * This thread's blocking connection to a Manager, made on first use.
 *
 * @throws {TypeError} Without --allow-ffi, off Linux, or for a host name.
 * @throws {RangeError} If this very thread serves that Manager.
 * @throws {AuthenticationError | ManagerConnectionError} If it cannot
 * connect.
 */
export function syncClientFor(
  where: string,
  address: Address,
  authkey: Uint8Array,
  maxFrameBytes: number,
): SyncClient {
  const key = clientKey(address, authkey);
  const known = clients.get(key);
  if (known !== undefined && !known.lost) return known;
  clients.delete(key);
  if (
    Deno.build.os !== "linux" ||
    Deno.permissions.querySync({ name: "ffi" }).state !== "granted"
  ) {
    throw new TypeError(
      `${where}: the Sync methods of a proxy block on a socket through FFI, on Linux: run with --allow-ffi (the async methods need nothing more)`,
    );
  }
  if (isServedHere(address)) {
    throw new RangeError(
      `${where}: this thread serves that Manager (serveInProcess), so a Sync call would block the very thread that must answer it; use the async methods here`,
    );
  }
  const name = addressName(address);
  const [family, bytes] = sockaddr(where, address);
  let fd: number;
  try {
    fd = connectSocket(family, bytes);
  } catch (error) {
    throw new ManagerConnectionError(
      `Cannot connect to the Manager at ${name}: ${(error as Error).message}`,
    );
  }
  // Deno does not close it when a Worker ends: the Worker's life does.
  ownSocket(fd);
  // Until the key is proved both ways, frames are a challenge's, small.
  const client = new SyncClient(fd, name, 1024);
  try {
    proveKeySync(client, authkey);
  } catch (error) {
    client.close();
    if (error instanceof Error && error.name === "AuthenticationError") {
      throw error;
    }
    throw new ManagerConnectionError(
      `Cannot connect to the Manager at ${name}: ${(error as Error).message}`,
    );
  }
  client.maxFrameBytes = maxFrameBytes;
  clients.set(key, client);
  return client;
}
