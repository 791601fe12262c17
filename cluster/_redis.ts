// The one place that talks to the Redis client (node-redis's @redis/client,
// chosen over ioredis because it reads no environment variable, so that a
// program needs no --allow-env; ARCHITECTURE.md, "Beyond one machine"):
// connection options, checked once for the pool and the worker, the keys of
// a queue, and Lua scripts run by their hash.

import { Buffer } from "node:buffer";
import { createClient, RESP_TYPES } from "npm:@redis/client@5.12.4";
import { checkObject, quote } from "../internal/options.ts";

/** TLS settings passed to the Redis client as they are (`node:tls`'s). */
export interface RedisTlsOptions {
  /** Trusted certificates (PEM), instead of the system's. */
  ca?: string | string[];
  /** The client's certificate (PEM), for mutual TLS. */
  cert?: string;
  /** The client's private key (PEM). */
  key?: string;
  /** The name to check the server's certificate against. */
  servername?: string;
  /** Refuse a server whose certificate is not trusted (default `true`). */
  rejectUnauthorized?: boolean;
}

/** How to reach Redis: shared by {@linkcode ClusterPool} and the workers. */
export interface RedisOptions {
  /**
   * The server's URL: `redis://[user[:password]@]host[:port][/db]`, or
   * `rediss://` for TLS.
   */
  redis: string;
  /** The ACL user, if not in the URL. */
  username?: string;
  /** The password (of the ACL user, or `requirepass`), if not in the URL. */
  password?: string;
  /** TLS: `true`, or the client's TLS settings (`rediss://` implies `true`). */
  tls?: boolean | RedisTlsOptions;
  /** The queue's name: a pool's tasks go to the workers of its queue (default `"default"`). */
  queue?: string;
  /** The start of every key of the queue (default `"parallel"`). */
  prefix?: string;
}

/** The connection options and names, checked. */
export interface Connection {
  readonly url: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean | RedisTlsOptions;
  readonly queue: string;
  readonly prefix: string;
}

const NAME = /^[\w.-]{1,100}$/;

function checkName(where: string, name: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new TypeError(
      `${where}: '${name}' must be a string, received ${quote(value)}`,
    );
  }
  if (!NAME.test(value)) {
    throw new RangeError(
      `${where}: '${name}' must be 1 to 100 letters, digits, '_', '.' or '-', received ${
        quote(value)
      }`,
    );
  }
  return value;
}

function checkString(where: string, name: string, value: unknown) {
  if (value !== undefined && typeof value !== "string") {
    throw new TypeError(
      `${where}: '${name}' must be a string, received ${quote(value)}`,
    );
  }
  return value;
}

/** Checks the options that say how to reach Redis. */
export function checkConnection(
  where: string,
  options: RedisOptions | undefined,
): Connection {
  checkObject(where, "options", options);
  const url = options?.redis;
  if (typeof url !== "string") {
    throw new TypeError(
      `${where}: 'redis' must be the server's URL ("redis://host:6379"), received ${
        quote(url)
      }`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(
      `${where}: 'redis' must be a redis:// or rediss:// URL, received ${
        quote(url)
      }`,
    );
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new RangeError(
      `${where}: 'redis' must be a redis:// or rediss:// URL, received ${
        quote(url)
      }`,
    );
  }
  const tls = options!.tls ?? parsed.protocol === "rediss:";
  if (typeof tls !== "boolean") checkObject(where, "tls", tls);
  return {
    url,
    username: checkString(where, "username", options!.username),
    password: checkString(where, "password", options!.password),
    tls,
    queue: checkName(where, "queue", options!.queue ?? "default"),
    prefix: checkName(where, "prefix", options!.prefix ?? "parallel"),
  };
}

/** The keys of a queue. */
export function queueKeys(connection: Connection) {
  const base = `${connection.prefix}:${connection.queue}`;
  return {
    /** The stream of tasks, read by the workers' consumer group. */
    tasks: `${base}:tasks`,
    /** Where a running task's stop is published. */
    stops: `${base}:stops`,
    /** The stream of one pool's answers (and start notices). */
    answers: (pool: string) => `${base}:answers:${pool}`,
  };
}

/** The workers' consumer group on the stream of tasks. */
export const GROUP = "workers";

/** A Redis connection whose bulk strings arrive as Buffers. */
export function connect(connection: Connection, name: string) {
  const { tls } = connection;
  const client = createClient({
    url: connection.url,
    ...(connection.username === undefined
      ? {}
      : { username: connection.username }),
    ...(connection.password === undefined
      ? {}
      : { password: connection.password }),
    name,
    // Commands fail at once while the connection is down: the pool decides
    // what waits and for how long, not the client's offline queue.
    disableOfflineQueue: true,
    socket: {
      ...(tls === false ? {} : { tls: true, ...(tls === true ? {} : tls) }),
      connectTimeout: 5_000,
      // Reconnect forever, backing off to one attempt a second.
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
    },
    commandOptions: { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } },
  });
  // Without a listener, a connection error would be an uncaught error.
  client.on("error", () => {});
  return client;
}

export type RedisClient = ReturnType<typeof connect>;

/** What a command argument or a reply element can be. */
export type Arg = string | Buffer;

/** A byte view as a Buffer, without a copy. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A Lua script, run by its hash (sent whole again after a restart of Redis). */
export class Script {
  readonly #source: string;
  readonly #sha: Promise<string>;

  constructor(source: string) {
    this.#source = source;
    this.#sha = crypto.subtle.digest(
      "SHA-1",
      new TextEncoder().encode(source),
    ).then((digest) =>
      Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0"))
        .join("")
    );
  }

  async run(
    client: RedisClient,
    keys: string[],
    args: Arg[],
  ): Promise<unknown> {
    const sha = await this.#sha;
    try {
      return await client.sendCommand([
        "EVALSHA",
        sha,
        `${keys.length}`,
        ...keys,
        ...args,
      ]);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith("NOSCRIPT")) {
        throw error;
      }
      return await client.sendCommand([
        "EVAL",
        this.#source,
        `${keys.length}`,
        ...keys,
        ...args,
      ]);
    }
  }
}

/** A reply's bulk string as text. */
export function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString("latin1") : String(value);
}
