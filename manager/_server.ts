// A Manager's server: it accepts connections, has each prove the key (and
// proves it back), then runs their requests on the objects it serves
// (`_served.ts`). A connection's requests run concurrently, so a proxy that
// waits does not hold up the others; a connection that breaks its frames,
// fails the key or goes away is closed alone, and gives back the locks it
// held (ARCHITECTURE.md, "The Manager").

import { type Address, addressName } from "./_address.ts";
import { answerChallenge, deliverChallenge } from "./_auth.ts";
import { FrameError, FrameReader, FrameWriter } from "./_frame.ts";
import {
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

/** The addresses that servers of this thread listen on. */
const servedHere = new Set<string>();

/**
 * Whether a server of this thread listens on `address`: a call that blocks
 * this thread until it answers would never end.
 */
export function isServedHere(address: Address): boolean {
  return servedHere.has(addressName(address));
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
  /** Where it listens, once it does (`addressName`). */
  #name: string | undefined;
  // Numbers start at random, so that a proxy of a Manager that was shut
  // down finds nothing, not another object, in one started at its address
  // with its key (Python's are memory addresses, as unlikely to match).
  #nextId = 1 + Math.floor(Math.random() * 2 ** 40);

  constructor(options: ServerOptions) {
    this.#options = options;
  }

  /** Starts listening; returns the address it listens on. */
  listen(address: Address): Address {
    const listener: Deno.Listener = address.transport === "unix"
      ? Deno.listen(address)
      : Deno.listen(address);
    this.#listener = listener;
    this.#accept(listener);
    const listening: Address = address.transport === "unix" ? address : {
      transport: "tcp",
      hostname: (listener.addr as Deno.NetAddr).hostname,
      port: (listener.addr as Deno.NetAddr).port,
    };
    this.#name = addressName(listening);
    servedHere.add(this.#name);
    return listening;
  }

  /** Settles once the server was closed (by `close` or a client). */
  get closed(): Promise<void> {
    return this.#done.promise;
  }

  /** Stops listening and closes every connection. */
  close(): void {
    if (this.#name !== undefined) servedHere.delete(this.#name);
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
        // As the client does.
        if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
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
    const calls = new Calls(conn, writer);
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
      await reader.each((payload) => {
        const message = decodeMessage(payload);
        if (!Array.isArray(message)) {
          throw new FrameError("A frame that is not a request");
        }
        if (message.length === 1) calls.cancel(message[0]);
        else calls.run(message, this.#handle);
      });
    } catch {
      // A wrong key, a broken frame, or the connection reset: this
      // connection only ends.
    } finally {
      await calls.end();
      for (const served of this.#objects.values()) {
        const owned = ownedLock(served);
        if (owned?.owner === conn) owned.abandon();
      }
    }
  }

  /** Runs a request's method: its value, or a promise of it. */
  readonly #handle = (request: Request, context: CallContext): unknown => {
    const [, target, method, args] = request;
    return target === 0
      ? this.#manager(method, args)
      : this.#object(target, method, args, context);
  };

  #object(
    target: number,
    method: string,
    args: readonly unknown[],
    context: CallContext,
  ): unknown {
    const served = this.#objects.get(target);
    if (served === undefined) {
      throw new RangeError(
        `The Manager serves no object ${target}: it was freed, or the proxy is of a Manager that was shut down`,
      );
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
        this.#objects.set(
          id,
          createServed(kind, kindArgs, (other) => this.#objects.get(other)),
        );
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
      // Objects whose only proxy was collected: nothing can reach them.
      release: ([ids]) => {
        for (const id of ids as number[]) this.#objects.delete(id);
      },
      count: () => this.#objects.size,
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

/** A request's context: its wait's signal is made only if it waits. */
class RequestContext implements CallContext {
  readonly owner: Deno.Conn;
  readonly timeout: number | undefined;
  readonly #id: number;
  readonly #controllers: Map<number, AbortController>;

  constructor(
    owner: Deno.Conn,
    timeout: number | undefined,
    id: number,
    controllers: Map<number, AbortController>,
  ) {
    this.owner = owner;
    this.timeout = timeout;
    this.#id = id;
    this.#controllers = controllers;
  }

  get signal(): AbortSignal {
    let controller = this.#controllers.get(this.#id);
    if (controller === undefined) {
      controller = new AbortController();
      this.#controllers.set(this.#id, controller);
    }
    return controller.signal;
  }
}

/**
 * The requests of one connection: each runs at once, and its reply is
 * written as soon as it has one (at once for most, which never wait), so
 * that a request that waits holds up none of the others.
 */
class Calls {
  readonly #conn: Deno.Conn;
  readonly #writer: FrameWriter;
  /** The waits a cancel can stop, by request id. */
  readonly #controllers = new Map<number, AbortController>();
  readonly #running = new Set<Promise<void>>();

  constructor(conn: Deno.Conn, writer: FrameWriter) {
    this.#conn = conn;
    this.#writer = writer;
  }

  /**
   * Runs a request with `handle`.
   *
   * @throws {FrameError} If it is not a request.
   */
  run(
    request: readonly unknown[],
    handle: (request: Request, context: CallContext) => unknown,
  ): void {
    const [id, target, method, args, timeout] = request;
    if (
      typeof id !== "number" || typeof target !== "number" ||
      typeof method !== "string" || !Array.isArray(args)
    ) {
      throw new FrameError("A request without id, target, method or args");
    }
    const context = new RequestContext(
      this.#conn,
      typeof timeout === "number" ? timeout : undefined,
      id,
      this.#controllers,
    );
    let value: unknown;
    try {
      value = handle(request as Request, context);
    } catch (error) {
      return this.#fail(id, error);
    }
    if (!(value instanceof Promise)) return this.#reply(id, value);
    const running = value.then(
      (value) => this.#reply(id, value),
      (error) => this.#fail(id, error),
    );
    this.#running.add(running);
    running.finally(() => this.#running.delete(running));
  }

  /** Stops the wait of request `id`, if it still waits. */
  cancel(id: unknown): void {
    this.#controllers.get(id as number)?.abort(
      new DOMException("The call was aborted", "AbortError"),
    );
  }

  /** Stops every wait (the client went away) and lets them settle. */
  async end(): Promise<void> {
    for (const controller of this.#controllers.values()) {
      controller.abort(new DOMException("The client went away", "AbortError"));
    }
    await Promise.allSettled(this.#running);
  }

  #reply(id: number, value: unknown): void {
    this.#controllers.delete(id);
    let frame: Uint8Array;
    try {
      frame = encodeMessage([id, value] satisfies Reply, "Manager");
    } catch (error) {
      return this.#fail(id, error);
    }
    this.#writer.write(frame).catch(() => {});
  }

  #fail(id: number, error: unknown): void {
    this.#controllers.delete(id);
    const { name, message } = error instanceof Error
      ? error
      : { name: "Error", message: String(error) };
    const reply: Reply = [id, null, { name, message }];
    this.#writer.write(encodeMessage(reply, "Manager")).catch(() => {});
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* closed already */ }
}
