import { clientFor, closeClient, type ManagerClient } from "./_client.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "./_frame.ts";
import { ManagerServer } from "./_server.ts";
import {
  type Address,
  addressName,
  checkAddress,
  defaultAddress,
  isLocal,
  netPermission,
  sameAddress,
  type TcpAddress,
  type UnixAddress,
} from "./_address.ts";
import type { ProxyKind } from "./_served.ts";
import {
  type ArrayProxy,
  type BarrierProxy,
  BaseProxy,
  ConditionProxy,
  type DictProxy,
  type EventProxy,
  type ListProxy,
  LockProxy,
  type NamespaceProxy,
  proxyFor,
  type ProxyOf,
  type QueueProxy,
  type SemaphoreProxy,
  type ValueProxy,
} from "./proxies.ts";
import { entryPairs } from "./dict_proxy.ts";
import { nestProxies } from "./_proxy.ts";
import { track } from "../pools/_children.ts";
import { PROXY } from "../pools/_wire.ts";
import {
  checkBoolean,
  checkDuration,
  checkInteger,
  checkObject,
  quote,
} from "../internal/options.ts";

/**
 * Where a Manager listens, or where to connect to one: a TCP host and port,
 * or (`transport: "unix"`) a Unix socket in Linux's abstract namespace.
 */
export interface ManagerAddress {
  /** `"tcp"` (the default) or `"unix"` (the default when `path` is given). */
  readonly transport?: "tcp" | "unix";
  /** A host name or IP address; the default is `127.0.0.1`. */
  readonly hostname?: string;
  /** A TCP port; the default (0) is a free one. */
  readonly port?: number;
  /**
   * A Unix socket's name in Linux's abstract namespace: `"\0"`, then the
   * name. It has no file, and needs an unscoped `--allow-net`.
   */
  readonly path?: string;
}

/** How `Manager.start` serves, and how `Manager.connect` connects. */
export interface ManagerOptions {
  /**
   * Where to listen (`start`) or connect (`connect`, which needs it).
   * `start`'s default is an abstract Unix socket on Linux when the program
   * has an unscoped `--allow-net`, a free loopback TCP port otherwise.
   * Listening on an address other than loopback needs an `authkey`.
   */
  readonly address?: ManagerAddress;
  /**
   * The key that every client proves (and the server proves back), as
   * bytes or a string. `start`'s default is 32 random bytes, which the
   * proxies this program passes to its processes and threads carry.
   */
  readonly authkey?: Uint8Array | string;
  /** The longest frame on a connection, in bytes (64 MiB by default). */
  readonly maxFrameBytes?: number;
  /**
   * Serve from this process rather than from a child process of its own
   * (which `start` does by default, as Python does; it needs --allow-run).
   */
  readonly serveInProcess?: boolean;
}

function keyOf(where: string, authkey: unknown): Uint8Array | undefined {
  if (authkey === undefined) return undefined;
  if (typeof authkey === "string") return new TextEncoder().encode(authkey);
  if (authkey instanceof Uint8Array) return authkey.slice();
  throw new TypeError(
    `${where}: 'authkey' must be a Uint8Array or a string, received ${
      quote(authkey)
    }`,
  );
}

function checkOptions(where: string, options: ManagerOptions) {
  checkObject(where, "options", options);
  const { maxFrameBytes = DEFAULT_MAX_FRAME_BYTES } = options;
  const address = options.address === undefined
    ? undefined
    : checkAddress(where, options.address);
  checkInteger(where, "maxFrameBytes", maxFrameBytes, 1024);
  return {
    address,
    authkey: keyOf(where, options.authkey),
    maxFrameBytes,
  };
}

/**
 * Python's `multiprocessing.Manager`: a server of shared containers (dict,
 * list, Namespace, Value, Array) and synchronisation objects (Lock, RLock,
 * Semaphore, Event, Condition, Barrier, Queue), reached through proxies
 * from any process, thread or machine that knows its address and key. Every
 * call is a round trip and every value a copy: shared primitives
 * (`Lock`, `Value`, `Queue` of this module) are far faster between the
 * processes of one machine; a Manager is for Python-style containers, and
 * for other machines.
 *
 * @example The tutorial's process-manager.py, in one process
 * ```ts
 * import { Manager } from "@parallel/parallel";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * await using manager = await Manager.start({ serveInProcess: true });
 * const d = await manager.dict<string, number>();
 * await d.set("x", 10);
 * await d.add("x", 1);
 * deepStrictEqual(await d.toMap(), new Map([["x", 11]]));
 * ```
 */
export class Manager implements AsyncDisposable {
  readonly #address: Address;
  readonly #authkey: Uint8Array;
  readonly #maxFrameBytes: number;
  readonly #stop: () => Promise<void>;
  readonly #pid: number | undefined;
  #stopped: Promise<void> | undefined;

  private constructor(
    address: Address,
    authkey: Uint8Array,
    maxFrameBytes: number,
    stop: () => Promise<void>,
    pid?: number,
  ) {
    this.#address = address;
    this.#authkey = authkey;
    this.#maxFrameBytes = maxFrameBytes;
    this.#stop = stop;
    this.#pid = pid;
  }

  /**
   * The id of the server's process, when `start` started one (undefined
   * when it serves in this process, or for `connect`).
   */
  get pid(): number | undefined {
    return this.#pid;
  }

  /**
   * Starts a Manager's server, in a child process by default, and connects
   * to it.
   *
   * @example A dict
   * ```ts
   * import { Manager } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * await using manager = await Manager.start({ serveInProcess: true });
   * const d = await manager.dict([["a", 1]]);
   * strictEqual(await d.get("a"), 1);
   * ```
   *
   * @throws {TypeError | RangeError} For bad options, or a non-loopback
   * address without an explicit, non-empty `authkey`.
   */
  static async start(options: ManagerOptions = {}): Promise<Manager> {
    const where = "Manager.start()";
    const checked = checkOptions(where, options);
    const { authkey, maxFrameBytes } = checked;
    const address = checked.address ?? defaultAddress();
    if (
      address.transport === "tcp" && !isLocal(address) &&
      (authkey === undefined || authkey.length === 0)
    ) {
      throw new RangeError(
        `${where}: serving on ${
          quote(address.hostname)
        }, beyond this machine, needs an explicit, non-empty 'authkey'`,
      );
    }
    if (authkey !== undefined && authkey.length === 0) {
      throw new RangeError(`${where}: 'authkey' must not be empty`);
    }
    const key = authkey ?? crypto.getRandomValues(new Uint8Array(32));
    if (checkBoolean(where, "serveInProcess", options.serveInProcess, false)) {
      const server = new ManagerServer({ authkey: key, maxFrameBytes });
      const listening = server.listen(address);
      const manager = new Manager(listening, key, maxFrameBytes, async () => {
        server.close();
        await server.closed;
      });
      await manager.#client(); // it answers
      return manager;
    }
    const [listening, stop, pid] = await startServerProcess(
      address,
      key,
      maxFrameBytes,
    );
    const manager = new Manager(listening, key, maxFrameBytes, stop, pid);
    try {
      await manager.#client();
    } catch (error) {
      await stop();
      throw error;
    }
    return manager;
  }

  /**
   * Connects to a Manager that another program started (on this machine
   * or another), with its address and key.
   *
   * @example Connect to a Manager
   * ```ts
   * import { Manager } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * await using server = await Manager.start({ serveInProcess: true, authkey: "secret" });
   * await server.share("jobs", await server.dict([["n", 1]]));
   * await using client = await Manager.connect({ address: server.address, authkey: "secret" });
   * const jobs = await client.get("jobs");
   * strictEqual(await (jobs as import("@parallel/parallel").DictProxy).get("n"), 1);
   * ```
   *
   * @throws {AuthenticationError} If the key is wrong.
   * @throws {ManagerConnectionError} If nothing answers there.
   */
  static async connect(options: ManagerOptions): Promise<Manager> {
    const where = "Manager.connect()";
    const { address, authkey, maxFrameBytes } = checkOptions(where, options);
    if (address === undefined) {
      throw new TypeError(`${where}: 'address' is needed to connect`);
    }
    if (authkey === undefined) {
      throw new TypeError(`${where}: 'authkey' is needed to connect`);
    }
    const manager = new Manager(
      address,
      authkey,
      maxFrameBytes,
      () => closeClient(address, authkey),
    );
    await manager.#client();
    return manager;
  }

  /**
   * Where the server listens: what `Manager.connect` is given to reach it
   * (and `Deno.connect`, as it has the same shape).
   */
  get address(): TcpAddress | UnixAddress {
    return { ...this.#address };
  }

  /** The key (a copy). */
  get authkey(): Uint8Array {
    return this.#authkey.slice();
  }

  #client(): Promise<ManagerClient> {
    return clientFor(this.#address, this.#authkey, this.#maxFrameBytes);
  }

  async #create<K extends ProxyKind>(
    kind: K,
    args: readonly unknown[],
  ): Promise<ProxyOf<K>> {
    const client = await this.#client();
    // Proxies in the first contents are stored as references, as later.
    const contents = nestProxies(args, this.#address, `Manager.${kind}()`);
    const id = await client.call(0, "create", [kind, contents]);
    return proxyFor({
      address: this.#address,
      authkey: this.#authkey,
      maxFrameBytes: this.#maxFrameBytes,
      id: id as number,
      kind,
    }, client);
  }

  /** A shared dict, from entries (a Map, pairs or a plain object). */
  async dict<K = unknown, V = unknown>(
    entries: Iterable<readonly [K, V]> | Record<string, V> = [],
  ): Promise<DictProxy<K, V>> {
    return await this.#create("dict", [
      entryPairs("Manager.dict()", entries),
    ]) as DictProxy<K, V>;
  }

  /** A shared list of copies of `items`. */
  async list<T = unknown>(items: Iterable<T> = []): Promise<ListProxy<T>> {
    return await this.#create("list", [[
      ...iterable("Manager.list()", items),
    ]]) as ListProxy<T>;
  }

  /** A shared Namespace with the given attributes. */
  async Namespace(
    attributes: Record<string, unknown> = {},
  ): Promise<NamespaceProxy> {
    checkObject("Manager.Namespace()", "attributes", attributes);
    return await this.#create("Namespace", [attributes]);
  }

  /** A shared Value (`typecode` as Python's, kept for its readers). */
  async Value<T = number>(typecode: string, value: T): Promise<ValueProxy<T>> {
    checkTypecode("Manager.Value()", typecode);
    return await this.#create("Value", [typecode, value]) as ValueProxy<T>;
  }

  /** A shared fixed-length Array. */
  async Array<T = number>(
    typecode: string,
    items: Iterable<T>,
  ): Promise<ArrayProxy<T>> {
    checkTypecode("Manager.Array()", typecode);
    return await this.#create("Array", [
      typecode,
      [...iterable("Manager.Array()", items)],
    ]) as ArrayProxy<T>;
  }

  /** A shared Lock. */
  async Lock(): Promise<LockProxy> {
    return await this.#create("Lock", []);
  }

  /** A shared RLock (held again by the thread that holds it). */
  async RLock(): Promise<LockProxy> {
    return await this.#create("RLock", []);
  }

  /** A shared Semaphore of `value` permits (1 by default). */
  async Semaphore(value = 1): Promise<SemaphoreProxy> {
    checkInteger("Manager.Semaphore()", "value", value, 0);
    return await this.#create("Semaphore", [value]);
  }

  /** A shared BoundedSemaphore of `value` permits (1 by default). */
  async BoundedSemaphore(value = 1): Promise<SemaphoreProxy> {
    checkInteger("Manager.BoundedSemaphore()", "value", value, 0);
    return await this.#create("BoundedSemaphore", [value]);
  }

  /** A shared Event. */
  async Event(): Promise<EventProxy> {
    return await this.#create("Event", []);
  }

  /**
   * A shared Condition on `lock`, a Lock or RLock of this Manager (Python's
   * `Condition(lock)`), or on an RLock of its own.
   */
  async Condition(lock?: LockProxy): Promise<ConditionProxy> {
    if (
      lock !== undefined &&
      (!(lock instanceof LockProxy) || lock instanceof ConditionProxy)
    ) {
      throw new TypeError(
        `Manager.Condition(): 'lock' must be a Lock or an RLock of a Manager, received ${
          quote(lock)
        }`,
      );
    }
    return await this.#create("Condition", lock === undefined ? [] : [lock]);
  }

  /**
   * A shared Barrier of `parties`; `timeout` (ms) is the default of its
   * waits, as Python's `Barrier(parties, timeout=...)`. (Python's `action`,
   * a function, cannot be sent to a server that runs no code it receives.)
   */
  async Barrier(
    parties: number,
    options?: { timeout?: number },
  ): Promise<BarrierProxy> {
    const where = "Manager.Barrier()";
    checkInteger(where, "parties", parties, 1);
    checkObject(where, "options", options);
    const timeout = options?.timeout ?? Infinity;
    checkDuration(where, "timeout", timeout);
    return await this.#create("Barrier", [parties, timeout]);
  }

  /** A shared FIFO Queue (unbounded when `maxsize` is 0, the default). */
  async Queue<T = unknown>(maxsize = 0): Promise<QueueProxy<T>> {
    checkInteger("Manager.Queue()", "maxsize", maxsize, 0);
    return await this.#create("Queue", [maxsize]) as QueueProxy<T>;
  }

  /** A shared LIFO Queue. */
  async LifoQueue<T = unknown>(maxsize = 0): Promise<QueueProxy<T>> {
    checkInteger("Manager.LifoQueue()", "maxsize", maxsize, 0);
    return await this.#create("LifoQueue", [maxsize]) as QueueProxy<T>;
  }

  /** A shared PriorityQueue (lowest first). */
  async PriorityQueue<T = unknown>(maxsize = 0): Promise<QueueProxy<T>> {
    checkInteger("Manager.PriorityQueue()", "maxsize", maxsize, 0);
    return await this.#create("PriorityQueue", [maxsize]) as QueueProxy<T>;
  }

  /**
   * Gives a proxy's object a name that `get` finds, from any program that
   * connects (Python's `register`).
   */
  async share(name: string, proxy: BaseProxy): Promise<void> {
    if (typeof name !== "string" || name === "") {
      throw new TypeError(
        `Manager.share(): 'name' must be a non-empty string, received ${
          quote(name)
        }`,
      );
    }
    if (!(proxy instanceof BaseProxy)) {
      throw new TypeError(
        `Manager.share(): 'proxy' must be a proxy of this Manager, received ${
          quote(proxy)
        }`,
      );
    }
    if (!sameAddress(proxy.address, this.#address)) {
      throw new TypeError(
        `Manager.share(): 'proxy' is a proxy of the Manager at ${
          addressName(proxy.address)
        }, not of this one`,
      );
    }
    const { id } = proxy.toMessage()[PROXY];
    await (await this.#client()).call(0, "share", [name, id]);
  }

  /** Python's word for `share`. */
  register(name: string, proxy: BaseProxy): Promise<void> {
    return this.share(name, proxy);
  }

  /**
   * The proxy of the object shared as `name`.
   *
   * @throws {RangeError} If nothing is shared so.
   */
  async get(name: string): Promise<BaseProxy> {
    if (typeof name !== "string") {
      throw new TypeError(
        `Manager.get(): 'name' must be a string, received ${quote(name)}`,
      );
    }
    const [id, kind] = await (await this.#client()).call(0, "get", [name]) as [
      number,
      ProxyKind,
    ];
    return proxyFor({
      address: this.#address,
      authkey: this.#authkey,
      maxFrameBytes: this.#maxFrameBytes,
      id,
      kind,
    });
  }

  /**
   * How many objects the Manager serves now: Python's
   * `_number_of_objects()`, for finding leaks. An object is freed once its
   * proxy is collected, if that proxy never left the thread that made it;
   * one that was sent to a worker or a process, stored in the Manager's
   * containers or shared lives until shutdown.
   *
   * @example Count them
   * ```ts
   * import { Manager } from "@parallel/parallel";
   * import { strictEqual } from "node:assert/strict";
   *
   * await using manager = await Manager.start({ serveInProcess: true });
   * const d = await manager.dict();
   * strictEqual(await manager.numberOfObjects(), 1);
   * strictEqual(await d.size(), 0);
   * ```
   */
  async numberOfObjects(): Promise<number> {
    return await (await this.#client()).call(0, "count", []) as number;
  }

  /**
   * Stops the server (and its process); proxies' calls then reject with a
   * `ManagerConnectionError`. A Manager from `connect` closes its
   * connection only.
   */
  shutdown(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  /** `await using` shuts it down. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}

function iterable<T>(where: string, items: Iterable<T>): Iterable<T> {
  if (
    typeof (items as Partial<Iterable<T>>)?.[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `${where}: the items must be iterable, received ${quote(items)}`,
    );
  }
  return items;
}

function checkTypecode(where: string, typecode: unknown): void {
  if (typeof typecode !== "string" || typecode === "") {
    throw new TypeError(
      `${where}: 'typecode' must be a string such as "i" or "d", received ${
        quote(typecode)
      }`,
    );
  }
}

/** Starts `_server_main.ts` in a child process; returns where it listens. */
async function startServerProcess(
  address: Address,
  authkey: Uint8Array,
  maxFrameBytes: number,
): Promise<[Address, () => Promise<void>, number]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--allow-net${
        address.transport === "unix" ? "" : `=${netPermission(address)}`
      }`,
      "--no-prompt",
      new URL("./_server_main.ts", import.meta.url).href,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const untrack = track(child);
  child.status.then(untrack); // also if it ends on its own
  const stdin = child.stdin.getWriter();
  await stdin.write(new TextEncoder().encode(
    JSON.stringify({ address, authkey: [...authkey], maxFrameBytes }) + "\n",
  ));
  const stop = async () => {
    await stdin.close().catch(() => {});
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    try {
      await child.status;
    } finally {
      clearTimeout(timer);
      untrack();
    }
  };
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) {
      const stderr = await new Response(child.stderr).text();
      await stop();
      throw new RangeError(
        `Manager.start(): its server could not listen on ${
          addressName(address)
        }: ${stderr.trim()}`,
      );
    }
    text += value;
  }
  lines.releaseLock();
  child.stderr.cancel().catch(() => {});
  child.stdout.cancel().catch(() => {});
  return [
    JSON.parse(text.slice(0, text.indexOf("\n"))) as Address,
    stop,
    child.pid,
  ];
}
