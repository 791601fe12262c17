// A cluster worker's loop (`worker.ts`): it reads tasks from the queue's
// stream as one consumer of the workers' group, runs each on a local
// ThreadPool or ProcessPool of the module it names, and answers into the
// stream of the pool that sent it. It reads only as many as it has room
// for (`prefetch`), so that a task waits in Redis, where any worker can take
// it, rather than here.
//
// What Redis does, not this loop: the lease (an entry read stays pending
// for this consumer until acknowledged), the delivery count, and handing a
// stalled entry to another worker (each worker claims entries idle past the
// visibility timeout, XAUTOCLAIM). What this loop adds: it keeps its
// running entries from looking idle (XCLAIM JUSTID, which resets an entry's
// idle time without counting a delivery), and when its local worker dies
// under a task it claims the entry again itself, which counts one.

import { Buffer } from "node:buffer";
import { CHUNK, FAILED, ITEMS, OK, toWire } from "../pools/_wire.ts";
import type { Executor } from "../pools/executor.ts";
import { ProcessPool } from "../pools/process_pool.ts";
import { ThreadPool } from "../pools/thread_pool.ts";
import { WorkerCrashedError } from "../pools/errors.ts";
import {
  type Arg,
  asBuffer,
  connect,
  type Connection,
  GROUP,
  queueKeys,
  type RedisClient,
  text,
} from "./_redis.ts";
import { FINISH, LEAVE, RECLAIM, REDELIVER, RENEW } from "./_scripts.ts";
import { CRASHED, pack, unpack } from "./_wire.ts";

/** A worker's settings, checked (`worker.ts`). */
export interface WorkerSetup {
  readonly connection: Connection;
  readonly modules: readonly string[];
  readonly concurrency: number;
  readonly pool: "thread" | "process";
  readonly visibilityTimeout: number;
  readonly prefetch: number;
}

/** How long a pool's stream of answers lives after its last answer (ms). */
const ANSWERS_TTL = 3_600_000;
/** How long one blocking read waits (ms): a stopping worker leaves within it. */
const READ_BLOCK = 1000;
const EXPORT_NAME = /^[\w$]+$/;
const POOL_ID = /^[\w.-]{1,100}$/;

/** A task this worker has taken. */
interface Taken {
  readonly entry: string;
  readonly pool: string;
  readonly id: number;
  readonly abort: AbortController;
}

/** What an entry's fields say, checked. */
interface TaskEntry {
  readonly pool: string;
  readonly module: string;
  readonly maxRetries: number;
  readonly maxBytes: number;
  readonly request: [number, number, string, unknown[]] | undefined;
}

export class WorkerLoop {
  readonly #setup: WorkerSetup;
  readonly #keys: ReturnType<typeof queueKeys>;
  readonly consumer = `${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  readonly #pools = new Map<string, Executor<Record<string, never>>>();
  readonly #commands: RedisClient;
  readonly #reader: RedisClient;
  readonly #subscriber: RedisClient;
  /** Taken and not answered, by entry id. */
  readonly #taken = new Map<string, Taken>();
  /** Answers waiting to be written, by pool: entry id, answer. */
  readonly #answers = new Map<string, Arg[]>();
  #answering = false;
  #roomFreed: (() => void) | undefined;
  /** Where the next look for stalled entries starts in the pending list. */
  #claimCursor = "0-0";
  #stopping = false;
  #timers: ReturnType<typeof setInterval>[] = [];
  #loops: Promise<void>[] = [];

  constructor(setup: WorkerSetup) {
    this.#setup = setup;
    this.#keys = queueKeys(setup.connection);
    const name = `parallel-worker-${this.consumer}`;
    this.#commands = connect(setup.connection, name);
    this.#reader = connect(setup.connection, `${name}-tasks`);
    this.#subscriber = connect(setup.connection, `${name}-stops`);
    for (const module of setup.modules) {
      const options = { maxWorkers: setup.concurrency };
      this.#pools.set(
        module,
        setup.pool === "process"
          ? new ProcessPool(module, options)
          : new ThreadPool(module, options),
      );
    }
  }

  /** Connects and starts reading; resolves once tasks can arrive. */
  async start(): Promise<void> {
    await Promise.all([
      this.#commands.connect(),
      this.#reader.connect(),
      this.#subscriber.connect(),
    ]);
    await this.#subscriber.subscribe(
      this.#keys.stops,
      (message) => this.#stop(text(message)),
    );
    await this.#ensureGroup();
    const { visibilityTimeout } = this.#setup;
    this.#timers.push(
      setInterval(() => this.#renew(), Math.max(10, visibilityTimeout / 3)),
      setInterval(() => this.#reclaim(), Math.max(10, visibilityTimeout / 2)),
    );
    this.#loops.push(this.#read());
    this.#reclaim();
  }

  /** Stops taking tasks, finishes those taken, and leaves the group. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#roomFreed?.();
    await Promise.all(this.#loops);
    for (const timer of this.#timers) clearInterval(timer);
    // The tasks taken end here; their answers are written unless Redis is
    // away (then they are dropped: the entries stay pending, and another
    // worker takes them after the visibility timeout).
    while (
      this.#taken.size > 0 ||
      ((this.#answers.size > 0 || this.#answering) && this.#commands.isReady)
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    try {
      await LEAVE.run(this.#commands, [this.#keys.tasks], [
        GROUP,
        this.consumer,
      ]);
    } catch {
      // Redis is away: the consumer stays in the group, harmlessly.
    }
    await Promise.all([...this.#pools.values()].map((pool) => pool.shutdown()));
    for (
      const client of [this.#subscriber, this.#reader, this.#commands]
    ) client.destroy();
  }

  async #ensureGroup(): Promise<void> {
    try {
      // From the stream's start: entries added before the group exists
      // (the stream was made by a pool's XADD) are read too.
      await this.#commands.sendCommand([
        "XGROUP",
        "CREATE",
        this.#keys.tasks,
        GROUP,
        "0",
        "MKSTREAM",
      ]);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith("BUSYGROUP")) {
        throw error;
      }
    }
  }

  async #read(): Promise<void> {
    const { prefetch } = this.#setup;
    while (!this.#stopping) {
      const room = prefetch - this.#taken.size;
      if (room <= 0) {
        await new Promise<void>((resolve) => this.#roomFreed = resolve);
        this.#roomFreed = undefined;
        continue;
      }
      try {
        const reply = await this.#reader.sendCommand([
          "XREADGROUP",
          "GROUP",
          GROUP,
          this.consumer,
          "COUNT",
          `${room}`,
          "BLOCK",
          `${READ_BLOCK}`,
          "STREAMS",
          this.#keys.tasks,
          ">",
        ]) as [unknown, [unknown, unknown[] | null][]][] | null;
        if (reply === null) continue;
        this.#takeAll(
          reply[0]![1].map(([id, fields]) => [text(id), fields, 1]),
        );
      } catch (error) {
        if (this.#stopping) return;
        if (String((error as Error)?.message).startsWith("NOGROUP")) {
          // Redis restarted without its data, or the last worker left.
          await this.#ensureGroup().catch(() => {});
        } else {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
  }

  /** Entries idle past the visibility timeout: their worker died or stalled. */
  #reclaim(): void {
    const room = this.#setup.prefetch - this.#taken.size;
    if (this.#stopping || room <= 0 || !this.#commands.isReady) return;
    RECLAIM.run(this.#commands, [this.#keys.tasks], [
      GROUP,
      this.consumer,
      `${this.#setup.visibilityTimeout}`,
      `${room}`,
      this.#claimCursor,
    ]).then((reply) => {
      const [cursor, claimed] = reply as [
        unknown,
        [unknown, unknown[] | null, number][],
      ];
      this.#claimCursor = text(cursor);
      this.#takeAll(
        claimed.map(([id, fields, deliveries]) => [
          text(id),
          fields,
          deliveries,
        ]),
      );
    }, () => {});
  }

  #renew(): void {
    if (this.#taken.size === 0 || !this.#commands.isReady) return;
    RENEW.run(this.#commands, [this.#keys.tasks], [
      GROUP,
      this.consumer,
      ...this.#taken.keys(),
    ]).catch(() => {});
  }

  /** A pool stopped a task (aborted, timed out): its local run is aborted. */
  #stop(message: string): void {
    for (const taken of this.#taken.values()) {
      if (`${taken.pool} ${taken.id}` === message) {
        taken.abort.abort();
        return;
      }
    }
  }

  // --- running ----------------------------------------------------------------

  #takeAll(entries: [string, unknown[] | null, number][]): void {
    const notes = new Map<string, [number, number][]>();
    const runs: [string, TaskEntry, number][] = [];
    for (const [entry, fields, deliveries] of entries) {
      // A deleted entry (a stopped task) comes with no fields.
      if (fields === null) continue;
      const task = parseEntry(fields);
      if (task === undefined) {
        // Not one of ours: dropped, and no one runs it.
        this.#answer(entry, undefined, new Uint8Array());
        continue;
      }
      if (task.request !== undefined) {
        const list = notes.get(task.pool) ?? [];
        list.push([task.request[0], deliveries]);
        notes.set(task.pool, list);
      }
      runs.push([entry, task, deliveries]);
    }
    for (const [pool, list] of notes) {
      const key = this.#keys.answers(pool);
      this.#commands.sendCommand([
        "XADD",
        key,
        "*",
        "s",
        asBuffer(pack(list, "Cannot note a start")),
      ]).catch(() => {});
      this.#commands.sendCommand(["PEXPIRE", key, `${ANSWERS_TTL}`])
        .catch(() => {});
    }
    for (const [entry, task, deliveries] of runs) {
      this.#run(entry, task, deliveries);
    }
  }

  async #run(entry: string, task: TaskEntry, deliveries: number) {
    const { pool, request, maxRetries, maxBytes } = task;
    if (request === undefined) {
      return this.#answer(
        entry,
        pool,
        pack(
          [0, FAILED, toWire(new TypeError("The task could not be decoded"))],
          "",
        ),
      );
    }
    const [id, kind, target, args] = request;
    if (deliveries > maxRetries + 1) {
      return this.#answer(
        entry,
        pool,
        pack([
          id,
          CRASHED,
          `Every worker that ran the task died before it answered (it ran ${
            deliveries - 1
          } times; maxRetries: ${maxRetries})`,
        ], ""),
      );
    }
    const local = this.#pools.get(task.module);
    if (local === undefined) {
      const error = new Error(
        `This worker does not serve the module ${task.module}; it serves ${
          [...this.#pools.keys()].join(", ")
        }`,
      );
      return this.#answer(entry, pool, pack([id, FAILED, toWire(error)], ""));
    }
    const abort = new AbortController();
    this.#taken.set(entry, { entry, pool, id, abort });
    let answer: Uint8Array;
    try {
      const value = await runLocally(local, kind, target, args, abort.signal);
      answer = packAnswer(id, OK, value, maxBytes);
    } catch (error) {
      if (abort.signal.aborted) {
        // Stopped by its pool, which dropped the entry: nothing to answer.
        this.#taken.delete(entry);
        this.#roomFreed?.();
        return;
      }
      if (error instanceof WorkerCrashedError) {
        this.#taken.delete(entry);
        return this.#redeliver(entry, task);
      }
      answer = packAnswer(id, FAILED, toWire(error), maxBytes);
    }
    this.#taken.delete(entry);
    this.#answer(entry, pool, answer);
  }

  /** The local worker died under a task: it is delivered again, and counted. */
  async #redeliver(entry: string, task: TaskEntry): Promise<void> {
    let deliveries: number;
    try {
      deliveries = await REDELIVER.run(this.#commands, [this.#keys.tasks], [
        GROUP,
        this.consumer,
        entry,
      ]) as number;
    } catch {
      // Redis is away: the entry stays pending, and is reclaimed later.
      this.#roomFreed?.();
      return;
    }
    if (deliveries < 0) {
      this.#roomFreed?.();
      return;
    }
    this.#run(entry, task, deliveries);
  }

  /** Queues an answer (`pool` undefined: just acknowledge the entry). */
  #answer(entry: string, pool: string | undefined, answer: Uint8Array): void {
    const key = pool ?? "";
    const list = this.#answers.get(key) ?? [];
    list.push(entry, asBuffer(answer));
    this.#answers.set(key, list);
    this.#roomFreed?.();
    if (!this.#answering) {
      this.#answering = true;
      queueMicrotask(() => this.#writeAnswers());
    }
  }

  /** Writes the answers waiting, one script call per pool. */
  async #writeAnswers(): Promise<void> {
    while (this.#answers.size > 0) {
      const batch = [...this.#answers];
      this.#answers.clear();
      const failed: [string, Arg[]][] = [];
      await Promise.all(batch.map(async ([pool, list]) => {
        try {
          if (pool === "") await this.#drop(list.filter((_, i) => i % 2 === 0));
          else {
            await FINISH.run(
              this.#commands,
              [this.#keys.tasks, this.#keys.answers(pool)],
              [GROUP, `${ANSWERS_TTL}`, ...list],
            );
          }
        } catch {
          failed.push([pool, list]);
        }
      }));
      if (failed.length > 0) {
        if (this.#stopping && !this.#commands.isReady) break;
        // Redis is away: try again shortly (after a restart without its
        // data, the entries are gone and the answers are dropped).
        for (const [pool, list] of failed) {
          this.#answers.set(pool, [
            ...(this.#answers.get(pool) ?? []),
            ...list,
          ]);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    this.#answering = false;
  }

  /** Acknowledges and deletes entries that are not tasks. */
  async #drop(entries: Arg[]): Promise<void> {
    const { tasks } = this.#keys;
    await Promise.all([
      this.#commands.sendCommand(["XACK", tasks, GROUP, ...entries]),
      this.#commands.sendCommand(["XDEL", tasks, ...entries]),
    ]);
  }
}

/** Runs one request on the local pool: one call, or a chunk of calls. */
function runLocally(
  pool: Executor<Record<string, never>>,
  kind: number,
  target: string,
  args: unknown[],
  signal: AbortSignal,
): Promise<unknown> {
  // deno-lint-ignore no-explicit-any
  const name = target as any;
  if ((kind & CHUNK) === 0) return pool.apply(name, args as never, { signal });
  const options = { chunksize: Math.max(1, args.length), signal };
  return (kind & ITEMS) !== 0
    ? pool.map(name, args as never, options)
    : pool.starmap(name, args as never, options);
}

function packAnswer(
  id: number,
  status: number,
  value: unknown,
  maxBytes: number,
): Uint8Array {
  let answer: Uint8Array;
  try {
    answer = pack([id, status, value], "Cannot send the task's result");
  } catch (error) {
    return pack([id, FAILED, toWire(error)], "");
  }
  if (answer.length <= maxBytes) return answer;
  const error = new RangeError(
    `Cannot send the task's result: it takes ${answer.length} bytes, more than the pool's 'maxMessageBytes' (${maxBytes})`,
  );
  return pack([id, FAILED, toWire(error)], "");
}

/** An entry's fields, checked: nothing in them is trusted. */
function parseEntry(fields: unknown[]): TaskEntry | undefined {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    map.set(text(fields[i]), fields[i + 1]);
  }
  const pool = map.get("r");
  const module = map.get("m");
  const payload = map.get("p");
  if (!Buffer.isBuffer(pool) || !Buffer.isBuffer(module)) return undefined;
  const poolId = text(pool);
  if (!POOL_ID.test(poolId) || !Buffer.isBuffer(payload)) return undefined;
  const maxRetries = Number(text(map.get("n")));
  const maxBytes = Number(text(map.get("b")));
  if (!Number.isInteger(maxRetries) || !Number.isInteger(maxBytes)) {
    return undefined;
  }
  let request: TaskEntry["request"];
  try {
    const value = unpack(payload);
    if (
      Array.isArray(value) && value.length === 4 &&
      typeof value[0] === "number" && typeof value[1] === "number" &&
      typeof value[2] === "string" && EXPORT_NAME.test(value[2]) &&
      Array.isArray(value[3])
    ) request = value as [number, number, string, unknown[]];
  } catch {
    request = undefined;
  }
  return {
    pool: poolId,
    module: module.toString("utf8"),
    maxRetries,
    maxBytes,
    request,
  };
}
