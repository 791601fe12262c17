// The cluster lane (`pools/_lane.ts`): a ClusterPool's tasks go to Redis,
// and workers on any machine take them. A lane here is one slot of the
// pool's window: it holds one task from the moment it is added to the
// stream until its answer comes, so that the core's `maxWorkers` is how many
// of the pool's tasks are out at once; the rest wait in the core, where
// cancelling one is dropping it. All the lanes of a pool share its two
// connections: one for commands, one that blocks reading the pool's stream
// of answers.
//
// A task in Redis cannot be taken back: a worker may read it at any moment
// (Python's ProcessPoolExecutor cannot take back what it has put in its call
// queue either). Its clock starts when a worker says it has taken it. A
// task that times out or is aborted is deleted from the stream and the
// workers are told to stop it; its slot ends, and the core opens another.
//
// While Redis cannot be reached, nothing is sent; once it has been away for
// `brokerTimeout`, every task out or waiting rejects with a BrokerError.
// When it comes back, the pool looks whether its tasks' entries survived
// (a Redis restarted without persistence has lost them) and sends again
// those that are gone and unanswered: tasks run at least once.

import type {
  Lane,
  LaneEvents,
  LaneKind,
  TaskRequest,
} from "../pools/_lane.ts";
import { FAILED, OK } from "../pools/_wire.ts";
import { WorkerCrashedError } from "../pools/errors.ts";
import {
  asBuffer,
  connect,
  type Connection,
  GROUP,
  queueKeys,
  type RedisClient,
  text,
} from "./_redis.ts";
import { ADD, SNAPSHOT, STOP } from "./_scripts.ts";
import { CRASHED, pack, unpack } from "./_wire.ts";
import { BrokerError } from "./errors.ts";

/** What a ClusterPool's lanes start with, checked by the pool. */
export interface ClusterSetup {
  readonly connection: Connection;
  readonly module: string;
  readonly maxRetries: number;
  readonly maxMessageBytes: number;
  readonly brokerTimeout: number;
}

/** How many of a pool's tasks are where (`ClusterPool.counts`). */
export interface ClusterCounts {
  /** Waiting: in this program, or in Redis until a worker takes them. */
  queued: number;
  /** Taken by a worker and not answered. */
  running: number;
  /** Answered with a result. */
  done: number;
  /** Answered with an error, timed out, aborted, or lost with the broker. */
  failed: number;
  /** Deliveries after the first (a worker died or stalled under the task). */
  redelivered: number;
}

const EXPORT_NAME = /^[\w$]+$/;
/** How many answers one read takes at most. */
const READ_COUNT = "1000";
/** How long one blocking read waits (ms) before it reads again. */
const READ_BLOCK = "5000";

/** A task sent, or about to be: `entry` once Redis has given its id. */
interface Flight {
  readonly lane: ClusterLane;
  readonly payload: Uint8Array;
  /** 0: waits to be sent; 1: being added; 2: in the stream. */
  state: 0 | 1 | 2;
  entry: string | undefined;
  running: boolean;
  /** Stopped while being added: stop it once it is in the stream. */
  stopped: boolean;
}

let pools = 0;

export class ClusterLanes implements LaneKind<Uint8Array> {
  readonly noun = "cluster worker";
  readonly depth = 1;
  readonly #setup: ClusterSetup;
  readonly #keys: ReturnType<typeof queueKeys>;
  /** This pool's id: names the stream of its answers. */
  readonly #id = `${Date.now().toString(36)}-${crypto.randomUUID()}`;
  readonly #name = `ClusterPool-${pools++}`;
  readonly #answers: string;
  #commands: RedisClient | undefined;
  #reader: RedisClient | undefined;
  readonly #lanes = new Set<ClusterLane>();
  readonly #flights = new Map<number, Flight>();
  #unsent = 0;
  #flushQueued = false;
  #lastAnswer = "0-0";
  /** When the connection was lost (or first tried), while it is down. */
  #downSince: number | undefined;
  #downTimer: ReturnType<typeof setTimeout> | undefined;
  /** Down for longer than brokerTimeout: tasks fail at once. */
  #unreachable = false;
  /** The connection was lost since the pool's tasks were last checked. */
  #dropped = false;
  #closing: Promise<void> | undefined;
  #referenced = false;
  /** The connection's last error, for the BrokerError's message. */
  #lastError: unknown;
  readonly counts = { done: 0, failed: 0, redelivered: 0 };

  constructor(setup: ClusterSetup) {
    this.#setup = setup;
    this.#keys = queueKeys(setup.connection);
    this.#answers = this.#keys.answers(this.#id);
  }

  /** Tasks out: waiting in Redis, and running. */
  get out(): { waiting: number; running: number } {
    let running = 0;
    for (const flight of this.#flights.values()) if (flight.running) running++;
    return { waiting: this.#flights.size - running, running };
  }

  prepare(
    where: string,
    request: TaskRequest,
    transfer: ArrayBuffer[],
  ): Uint8Array {
    if (transfer.length > 0) {
      throw new TypeError(
        `${where}: 'transfer' cannot hand buffers to another machine; pass them as arguments, which are copied`,
      );
    }
    const { id, kind, target, args } = request;
    if (!EXPORT_NAME.test(target)) {
      throw new TypeError(
        `${where}: a ClusterPool runs only the exports of its module, by name; a function's source is not sent to other machines`,
      );
    }
    const payload = pack([id, kind, target, args], where);
    const limit = this.#setup.maxMessageBytes;
    if (payload.length > limit) {
      throw new RangeError(
        `${where}: its arguments take ${payload.length} bytes, more than the pool's 'maxMessageBytes' (${limit})`,
      );
    }
    return payload;
  }

  resendable(): boolean {
    return true;
  }

  start(events: LaneEvents): ClusterLane {
    if (this.#commands === undefined) this.#open();
    const lane = new ClusterLane(this, events);
    this.#lanes.add(lane);
    return lane;
  }

  // --- the connections --------------------------------------------------------

  #open(): void {
    const commands = connect(this.#setup.connection, this.#name);
    const reader = connect(this.#setup.connection, `${this.#name}-answers`);
    this.#commands = commands;
    this.#reader = reader;
    this.#lost();
    commands.on("ready", () => {
      this.#applyRef(commands);
      this.#ready();
    });
    reader.on("ready", () => this.#applyRef(reader));
    commands.on("end", () => this.#lost());
    commands.on("reconnecting", () => this.#lost());
    commands.on("error", (error: unknown) => {
      this.#lastError = error;
      if (!commands.isReady) this.#lost();
    });
    commands.connect().catch(() => {});
    reader.connect().catch(() => {});
    this.#ref(false);
    this.#read(reader);
  }

  /** An idle pool does not keep the program alive; tasks out do. */
  #ref(on: boolean): void {
    if (on === this.#referenced) return;
    this.#referenced = on;
    if (this.#commands !== undefined) this.#applyRef(this.#commands);
    if (this.#reader !== undefined) this.#applyRef(this.#reader);
  }

  /**
   * Applied to connected sockets only: node:net's Socket adds a listener
   * for each (un)ref asked before it connects.
   */
  #applyRef(client: RedisClient): void {
    if (!client.isReady) return;
    if (this.#referenced) client.ref();
    else client.unref();
  }

  #lost(): void {
    if (this.#downSince !== undefined || this.#closing !== undefined) return;
    this.#downSince = performance.now();
    this.#dropped = true;
    this.#downTimer = setTimeout(() => {
      this.#downTimer = undefined;
      this.#unreachable = true;
      this.#failAll();
    }, this.#setup.brokerTimeout);
    // A broker that is away does not keep an idle program alive.
    if (this.#flights.size === 0) Deno.unrefTimer(this.#downTimer);
  }

  #ready(): void {
    if (this.#downTimer !== undefined) clearTimeout(this.#downTimer);
    this.#downTimer = undefined;
    this.#downSince = undefined;
    this.#unreachable = false;
    if (this.#dropped && this.#flights.size > 0) {
      this.#recover().catch(() => this.#lost());
    } else {
      this.#dropped = false;
      this.#flush();
    }
  }

  /** The connection is back: tasks whose entries Redis lost are sent again. */
  async #recover(): Promise<void> {
    const added = [...this.#flights].filter(([, f]) => f.state === 2);
    const [gone, answers] = await SNAPSHOT.run(
      this.#commands!,
      [this.#keys.tasks, this.#answers],
      [this.#lastAnswer, ...added.map(([, f]) => f.entry!)],
    ) as [unknown[], unknown[]];
    this.#dropped = false;
    this.#take(answers);
    const lost = new Set(gone.map(text));
    for (const [, flight] of added) {
      if (flight.state === 2 && lost.has(flight.entry!)) {
        flight.state = 0;
        flight.entry = undefined;
        flight.running = false;
        this.#unsent++;
      }
    }
    this.#flush();
  }

  /** Reads the pool's stream of answers, for as long as the pool lives. */
  async #read(reader: RedisClient): Promise<void> {
    while (this.#closing === undefined) {
      try {
        const reply = await reader.sendCommand([
          "XREAD",
          "COUNT",
          READ_COUNT,
          "BLOCK",
          READ_BLOCK,
          "STREAMS",
          this.#answers,
          this.#lastAnswer,
        ]) as [unknown, unknown[]][] | null;
        if (reply !== null) {
          this.#take(reply[0]![1]);
          // What has been read goes: a long-lived pool's stream stays short.
          this.#commands!.sendCommand([
            "XTRIM",
            this.#answers,
            "MINID",
            this.#lastAnswer,
          ]).catch(() => {});
        }
      } catch {
        if (this.#closing !== undefined) return;
        // Down: the client reconnects; look again shortly.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Handles entries of the stream of answers. */
  #take(entries: unknown[]): void {
    for (const entry of entries as [unknown, unknown[]][]) {
      const id = text(entry[0]);
      if (compareIds(id, this.#lastAnswer) <= 0) continue;
      this.#lastAnswer = id;
      const fields = entry[1];
      for (let i = 0; i < fields.length; i += 2) {
        const field = text(fields[i]);
        const value = unpack(fields[i + 1] as Uint8Array);
        if (field === "a") this.#answer(value as [number, number, unknown]);
        else if (field === "s") this.#started(value as [number, number][]);
      }
    }
  }

  #started(notes: [number, number][]): void {
    for (const [id, deliveries] of notes) {
      const flight = this.#flights.get(id);
      if (flight === undefined) continue;
      if (deliveries > 1) this.counts.redelivered++;
      if (flight.running) continue;
      flight.running = true;
      flight.lane.events.started(id);
    }
  }

  #answer([id, status, value]: [number, number, unknown]): void {
    const flight = this.#flights.get(id);
    // An answer to a task already answered, stopped or failed: dropped.
    if (flight === undefined) return;
    this.#land(id);
    if (status === OK) this.counts.done++;
    else this.counts.failed++;
    if (status === CRASHED) {
      flight.lane.answered(
        id,
        FAILED,
        new WorkerCrashedError(value as string),
      );
    } else {
      flight.lane.answered(id, status, value);
    }
  }

  /** A task is no longer out. */
  #land(id: number): void {
    const flight = this.#flights.get(id);
    if (flight === undefined) return;
    if (flight.state === 0) this.#unsent--;
    this.#flights.delete(id);
    if (this.#flights.size === 0) this.#ref(false);
  }

  // --- sending ----------------------------------------------------------------

  send(lane: ClusterLane, id: number, payload: Uint8Array): void {
    this.#flights.set(id, {
      lane,
      payload,
      state: 0,
      entry: undefined,
      running: false,
      stopped: false,
    });
    this.#unsent++;
    this.#ref(true);
    if (this.#unreachable) {
      queueMicrotask(() => this.#failAll());
      return;
    }
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => this.#flush());
    }
  }

  /** Adds every task that waits to be sent, while the connection is up. */
  #flush(): void {
    this.#flushQueued = false;
    const commands = this.#commands;
    if (
      this.#unsent === 0 || commands === undefined || !commands.isReady ||
      this.#dropped
    ) return;
    const { module, maxRetries, maxMessageBytes } = this.#setup;
    const batch: [number, Flight][] = [];
    for (const [id, flight] of this.#flights) {
      if (flight.state !== 0) continue;
      flight.state = 1;
      batch.push([id, flight]);
    }
    this.#unsent = 0;
    ADD.run(commands, [this.#keys.tasks], [
      this.#id,
      module,
      `${maxRetries}`,
      `${maxMessageBytes}`,
      ...batch.map(([, flight]) => asBuffer(flight.payload)),
    ]).then(
      (entries) => {
        for (let i = 0; i < batch.length; i++) {
          const [id, flight] = batch[i]!;
          const entry = text((entries as unknown[])[i]);
          if (flight.stopped) this.#stopEntry(id, entry);
          else if (this.#flights.get(id) === flight) {
            flight.state = 2;
            flight.entry = entry;
          }
        }
      },
      () => {
        // Not known to be added: sent again when the connection is back
        // (a task runs at least once).
        for (const [id, flight] of batch) {
          if (flight.stopped || this.#flights.get(id) !== flight) continue;
          flight.state = 0;
          this.#unsent++;
        }
        // Redis refused (out of memory, say): try again shortly.
        if (commands.isReady) setTimeout(() => this.#flush(), 100);
        else this.#lost();
      },
    );
  }

  /** Takes back a task that has not left this program. */
  takeBack(id: number): boolean {
    const flight = this.#flights.get(id);
    if (flight === undefined || flight.state !== 0 || this.#unreachable) {
      return false;
    }
    this.#land(id);
    return true;
  }

  /** A running (or maybe running) task was aborted or timed out. */
  stop(id: number): void {
    const flight = this.#flights.get(id);
    if (flight === undefined) return;
    this.#land(id);
    this.counts.failed++;
    if (flight.state === 2) this.#stopEntry(id, flight.entry!);
    // Being added: its entry's id comes with the reply to XADD.
    else if (flight.state === 1) flight.stopped = true;
  }

  #stopEntry(id: number, entry: string): void {
    STOP.run(this.#commands!, [this.#keys.tasks, this.#keys.stops], [
      GROUP,
      entry,
      `${this.#id} ${id}`,
    ]).catch(() => {
      // Redis is away: the entry's fate is its own (a restart without
      // persistence has dropped it); the task has rejected already.
    });
  }

  /** Redis has been away for brokerTimeout: every task out fails. */
  #failAll(): void {
    if (!this.#unreachable) return;
    const ms = this.#setup.brokerTimeout;
    const url = redacted(this.#setup.connection.url);
    const lanes = new Set<ClusterLane>();
    for (const [id, flight] of this.#flights) {
      lanes.add(flight.lane);
      this.#flights.delete(id);
      this.counts.failed++;
    }
    this.#unsent = 0;
    this.#ref(false);
    const cause = this.#lastError;
    const why = cause instanceof Error ? ` (${cause.message})` : "";
    for (const lane of lanes) {
      lane.fail(() =>
        new BrokerError(
          `Redis at ${url} could not be reached for ${ms} ms${why}; the task may or may not have run`,
          { cause },
        )
      );
    }
  }

  // --- closing ----------------------------------------------------------------

  /** A lane ended: once the pool closes, the last one closes the connections. */
  closed(lane: ClusterLane): void {
    this.#lanes.delete(lane);
  }

  /** Every task has settled and the pool closes: removes its stream and disconnects. */
  close(): Promise<void> {
    this.#closing ??= this.#disconnect();
    return this.#closing;
  }

  async #disconnect(): Promise<void> {
    if (this.#downTimer !== undefined) clearTimeout(this.#downTimer);
    const commands = this.#commands;
    const reader = this.#reader;
    if (commands === undefined || reader === undefined) return;
    reader.destroy();
    if (commands.isReady) {
      try {
        await commands.sendCommand(["DEL", this.#answers]);
      } catch {
        // Gone with Redis; a late answer's PEXPIRE removes it anyway.
      }
    }
    commands.destroy();
  }
}

/** One slot of a ClusterPool's window. */
class ClusterLane implements Lane<Uint8Array> {
  readonly #kind: ClusterLanes;
  readonly events: LaneEvents;
  #task: number | undefined;
  #ending = false;
  #exited = false;

  constructor(kind: ClusterLanes, events: LaneEvents) {
    this.#kind = kind;
    this.events = events;
    // Nothing to load: ready once the core has taken the lane.
    queueMicrotask(() => events.ready());
  }

  send(id: number, payload: Uint8Array): void {
    this.#task = id;
    this.#kind.send(this, id, payload);
  }

  answered(id: number, status: number, value: unknown): void {
    this.#task = undefined;
    this.events.answered(id, status, value);
    if (this.#ending) this.#exit();
  }

  takeBack(id: number): boolean {
    if (this.#task !== id || !this.#kind.takeBack(id)) return false;
    this.#task = undefined;
    if (this.#ending) queueMicrotask(() => this.#exit());
    return true;
  }

  stop(id: number): boolean {
    this.#kind.stop(id);
    this.#task = undefined;
    queueMicrotask(() => this.#exit());
    return true;
  }

  end(): void {
    this.#ending = true;
    if (this.#task === undefined) queueMicrotask(() => this.#exit());
  }

  close(): void {
    this.#ending = true;
    this.#kind.close().then(() => this.#exit());
  }

  terminate(): void {
    this.#exit();
  }

  /** The broker is unreachable: the task fails with `failure()`. */
  fail(failure: () => Error): void {
    this.#exit({ failure, why: ": Redis could not be reached" });
  }

  #exit(
    failed?: { failure: () => Error; why: string },
  ): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#kind.closed(this);
    this.events.exited({
      code: failed === undefined ? 0 : 1,
      why: failed?.why ?? "",
      ready: true,
      ...(failed === undefined ? {} : { failure: failed.failure }),
    });
  }
}

/** Compares two stream entry ids ("ms-seq"). */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(Number) as [number, number];
  const [bm, bs] = b.split("-").map(Number) as [number, number];
  return am !== bm ? am - bm : as - bs;
}

/** A URL without its password, for messages. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.href;
  } catch {
    return url;
  }
}
