// A Manager's server: it accepts connections, has each prove the key (and
// proves it back), then runs their requests on the objects it serves
// (`_served.ts`). A connection's requests run concurrently, so a proxy that
// waits does not hold up the others; a connection that breaks its frames,
// fails the key or goes away is closed alone, and gives back the locks it
// held (ARCHITECTURE.md, "The Manager").

import { answerChallenge, deliverChallenge } from "./_auth.ts";
import { FrameError, FrameReader, FrameWriter } from "./_frame.ts";
import {
  type Cancel,
  decodeMessage,
  encodeMessage,
  type Reply,
  type Request,
} from "./_messages.ts";
import {
  type CallContext,
  callServed,
  createServed,
  isKind,
  ownedLock,
  type Served,
} from "./_served.ts";

/** How a server is set up. */
export interface ServerOptions {
  readonly authkey: Uint8Array;
  readonly maxFrameBytes: number;
}

/** Where a server listens: a TCP host and port. */
export interface Address {
  readonly hostname: string;
  readonly port: number;
}

/** How long a new connection has to prove the key. */
const AUTH_TIMEOUT_MS = 10_000;

/** What the Manager itself answers (target 0). */
type ManagerMethod = (args: readonly unknown[]) => unknown;

export class ManagerServer {
  readonly #options: ServerOptions;
  readonly #objects = new Map<number, Served>();
  readonly #names = new Map<string, number>();
  readonly #connections = new Set<Deno.Conn>();
  readonly #done = Promise.withResolvers<void>();
  #listener: Deno.Listener | undefined;
  #nextId = 1;

  constructor(options: ServerOptions) {
    this.#options = options;
  }

  /** Starts listening; returns the address it listens on. */
  listen(address: Address): Address {
    const listener = Deno.listen({
      hostname: address.hostname,
      port: address.port,
    });
    this.#listener = listener;
    this.#accept(listener);
    const { hostname, port } = listener.addr as Deno.NetAddr;
    return { hostname, port };
  }

  /** Settles once the server was closed (by `close` or a client). */
  get closed(): Promise<void> {
    return this.#done.promise;
  }

  /** Stops listening and closes every connection. */
  close(): void {
    try {
      this.#listener?.close();
    } catch { /* closed already */ }
    for (const conn of this.#connections) closeQuietly(conn);
    this.#connections.clear();
    this.#done.resolve();
  }

  async #accept(listener: Deno.Listener): Promise<void> {
    try {
      for await (const conn of listener) {
        (conn as Deno.TcpConn).setNoDelay(true); // as the client's
        this.#connections.add(conn);
        this.#serve(conn).finally(() => {
          this.#connections.delete(conn);
          closeQuietly(conn);
        });
      }
    } catch { /* the listener was closed */ }
  }

  async #serve(conn: Deno.Conn): Promise<void> {
    const { authkey, maxFrameBytes } = this.#options;
    // Until the key is proved both ways, a challenge's frames are all a
    // client may send, and they are small.
    const reader = new FrameReader(conn, 1024);
    const writer = new FrameWriter(conn, maxFrameBytes);
    const pending = new Map<number, AbortController>();
    const running = new Set<Promise<void>>();
    try {
      // A peer that never answers does not hold a connection open.
      const late = setTimeout(() => closeQuietly(conn), AUTH_TIMEOUT_MS);
      try {
        await deliverChallenge(reader, writer, authkey);
        await answerChallenge(reader, writer, authkey);
      } finally {
        clearTimeout(late);
      }
      reader.maxBytes = maxFrameBytes;
      for (let frame; (frame = await reader.next()) !== null;) {
        const message = decodeMessage(frame) as Partial<Request & Cancel>;
        if (typeof message !== "object" || message === null) {
          throw new FrameError("A frame that is not a request");
        }
        if (typeof message.cancel === "number") {
          pending.get(message.cancel)?.abort(
            new DOMException("The call was aborted", "AbortError"),
          );
          continue;
        }
        const call = this.#call(conn, message, pending).then((reply) =>
          writer.write(encodeMessage(reply, "Manager")).catch(() => {})
        );
        running.add(call);
        call.finally(() => running.delete(call));
      }
    } catch {
      // A wrong key, a broken frame, or the connection reset: this
      // connection only ends.
    } finally {
      for (const controller of pending.values()) {
        controller.abort(
          new DOMException("The client went away", "AbortError"),
        );
      }
      await Promise.allSettled(running);
      for (const served of this.#objects.values()) {
        const owned = ownedLock(served);
        if (owned?.owner === conn) owned.abandon();
      }
    }
  }

  async #call(
    conn: Deno.Conn,
    request: Partial<Request>,
    pending: Map<number, AbortController>,
  ): Promise<Reply> {
    const { id, target, method, args, timeout } = request;
    if (
      typeof id !== "number" || typeof target !== "number" ||
      typeof method !== "string" || !Array.isArray(args)
    ) {
      throw new FrameError("A request without id, target, method or args");
    }
    const controller = new AbortController();
    pending.set(id, controller);
    try {
      const context: CallContext = {
        owner: conn,
        signal: controller.signal,
        timeout: typeof timeout === "number" ? timeout : undefined,
      };
      const value = target === 0
        ? await this.#manager(method, args)
        : await this.#object(target, method, args, context);
      return { id, value };
    } catch (error) {
      const { name, message } = error instanceof Error
        ? error
        : { name: "Error", message: String(error) };
      return { id, error: { name, message } };
    } finally {
      pending.delete(id);
    }
  }

  #object(
    target: number,
    method: string,
    args: readonly unknown[],
    context: CallContext,
  ): unknown {
    const served = this.#objects.get(target);
    if (served === undefined) {
      throw new RangeError(`The Manager serves no object ${target}`);
    }
    return callServed(served, method, args, context);
  }

  #manager(method: string, args: readonly unknown[]): unknown {
    const methods: Record<string, ManagerMethod> = {
      create: ([kind, kindArgs]) => {
        if (!isKind(kind) || !Array.isArray(kindArgs)) {
          throw new TypeError(`A Manager serves no kind ${String(kind)}`);
        }
        const id = this.#nextId++;
        this.#objects.set(id, createServed(kind, kindArgs));
        return id;
      },
      share: ([name, id]) => {
        if (typeof name !== "string" || !this.#objects.has(id as number)) {
          throw new TypeError(`Cannot share object ${id} as ${name}`);
        }
        this.#names.set(name, id as number);
      },
      get: ([name]) => {
        const id = this.#names.get(name as string);
        if (id === undefined) {
          throw new RangeError(
            `The Manager shares nothing named ${JSON.stringify(name)}`,
          );
        }
        return [id, this.#objects.get(id)!.kind];
      },
      kind: ([id]) => this.#objects.get(id as number)?.kind,
      shutdown: () => {
        setTimeout(() => this.close(), 0);
      },
    };
    if (!Object.hasOwn(methods, method)) {
      throw new TypeError(`A Manager has no method ${JSON.stringify(method)}`);
    }
    return methods[method]!(args);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* closed already */ }
}
