// The thread lane: a pool's worker as a `node:worker_threads` Worker
// (`_transport.ts`, `_worker.ts`). Each worker has a request queue and a
// response queue of its own (SimpleQueues: bytes in shared memory, no
// postMessage), a claim word per place in its line (`_claim.ts`), and an
// info block; all workers of a pool bump one shared doorbell after each
// response, which the pool's thread spins on briefly and then sleeps on.
//
// A thread cannot be stopped from outside while it computes (Deno 2.9.6):
// a worker whose running task was stopped is retired (it takes nothing
// more; what it had not claimed is taken back by compare-and-swap) while
// its code runs on until the worker can leave (`_worker.ts`). Only a worker
// known to be gone has its locks marked abandoned (ARCHITECTURE.md, "Worker
// deaths").

import {
  encode,
  type Encoded,
  handleOf,
  heap,
  heapRef,
  putEncoded,
  type QueueHandle,
  reapThread,
} from "../primitives/_internals.ts";
import { SimpleQueue } from "../primitives/queue.ts";
import { bellSeq, createBell, SPIN_MS, waitBell } from "./_bell.ts";
import {
  CANCELLED,
  CLAIMED,
  claimIndex,
  createClaims,
  QUEUED,
} from "./_claim.ts";
import type {
  Lane,
  LaneEvents,
  LaneExit,
  LaneKind,
  TaskRequest,
} from "./_lane.ts";
import {
  createInfo,
  INFO_GONE,
  INFO_IDENT,
  INFO_OUT_OF_MEMORY,
  INFO_READY,
  INFO_RETIRE,
  type ResourceLimits,
  startWorker,
  whenGone,
  type WorkerData,
  type WorkerExit,
} from "./_transport.ts";
import { BY_MESSAGE, type Request, type Response, STOP } from "./_wire.ts";
import { hasProxy, prepareMessage } from "./_message.ts";
import { shutDownThreadSockets } from "./_thread_sockets.ts";
import type { Worker } from "node:worker_threads";

const ENTRY = new URL("./_worker.ts", import.meta.url);

/** What every worker of a thread pool starts with. */
export interface ThreadLaneOptions {
  module: string | undefined;
  initializer: { target: string; args: unknown[] } | undefined;
  resourceLimits: ResourceLimits;
}

/** How a task travels to a worker thread, decided once at submit. */
export interface ThreadPayload {
  /**
   * The request as the request queue carries it: encoded already, or (when
   * its arguments are numbers, strings and booleans, which the queue
   * encodes at once) as it is.
   */
  readonly request: Request;
  readonly encoded: Encoded | undefined;
  /** The arguments by postMessage (BY_MESSAGE); cleared once transferred. */
  message: { args: unknown; transfer: ArrayBuffer[] } | undefined;
  /**
   * The arguments themselves: the primitives among them must live until the
   * worker has opened them, which the encoded bytes and the message (which
   * carry handles) do not ensure.
   */
  readonly args: unknown[];
}

/**
 * Whether an argument is a number, a string or a boolean: shared memory
 * carries it as it is, with no need to encode it ahead.
 */
function travelsAsIs(value: unknown): boolean {
  const type = typeof value;
  return type === "number" || type === "string" || type === "boolean";
}

/** The workers of one thread pool, and the loop that collects their answers. */
let pools = 0;

export class ThreadLanes implements LaneKind<ThreadPayload> {
  readonly noun = "worker";
  readonly #options: ThreadLaneOptions;
  readonly #bell = createBell();
  readonly #lanes = new Set<ThreadLane>();
  /** Requests sent and not answered, over the lanes that will answer them. */
  #inFlight = 0;
  #draining = false;
  #wake: AbortController | undefined;
  /** Names its workers as Python names a ThreadPoolExecutor's threads. */
  readonly #prefix = `ThreadPool-${pools++}`;
  #started = 0;

  constructor(options: ThreadLaneOptions) {
    this.#options = options;
  }

  /** The name of the next worker (what `currentThread()` says in it). */
  nextName(): string {
    return `${this.#prefix}_${this.#started++}`;
  }

  prepare(
    where: string,
    { id, kind, target, args }: TaskRequest,
    transfer: ArrayBuffer[],
  ): ThreadPayload {
    // A Manager's proxy travels as a message, which revives it connected.
    if (transfer.length === 0 && !hasProxy(args)) {
      const request: Request = [id, kind, target, args];
      if (args.every(travelsAsIs)) {
        return { request, encoded: undefined, message: undefined, args };
      }
      try {
        const encoded = encode(request, heap(), where);
        return { request, encoded, message: undefined, args };
      } catch {
        // Not through shared memory: try a message.
      }
    }
    return {
      request: [id, kind | BY_MESSAGE, target, null],
      encoded: undefined,
      message: prepareMessage(where, args, transfer),
      args,
    };
  }

  resendable(payload: ThreadPayload): boolean {
    return payload.message !== undefined ||
      (payload.request[1] & BY_MESSAGE) === 0;
  }

  start(events: LaneEvents): Lane<ThreadPayload> {
    const lane = new ThreadLane(this, events, this.#options, this.#bell);
    this.#lanes.add(lane);
    return lane;
  }

  // --- bookkeeping, called by the lanes ---------------------------------------

  /** A request was sent: collect answers until it is answered. */
  sent(): void {
    this.#inFlight++;
    this.#drain();
  }

  /** `count` requests will not be answered, or were. */
  settled(count: number): void {
    this.#inFlight -= count;
    // The loop sleeps on the bell: with nothing left to answer, no bell
    // would ring to end it.
    if (this.#inFlight === 0) this.#wake?.abort();
  }

  gone(lane: ThreadLane): void {
    this.#lanes.delete(lane);
  }

  // --- collecting answers ---------------------------------------------------

  /** Runs while requests are in flight: collects answers as they come. */
  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#inFlight > 0) {
        const seen = bellSeq(this.#bell);
        if (this.#collect()) continue;
        if (this.#spareCore() && await this.#spin(seen)) continue;
        // A worker's exit may have settled the rest while we spun; its
        // wake-up found no controller to abort, and no bell will ring.
        if (this.#inFlight === 0) break;
        this.#wake = new AbortController();
        try {
          await waitBell(this.#bell, seen, this.#wake.signal);
        } catch {
          // Woken by a worker's exit or a stopped task: look again.
        }
        this.#wake = undefined;
      }
    } finally {
      this.#draining = false;
    }
  }

  /**
   * Whether a core is left for this thread while the busy workers run: if
   * not, spinning would only slow them down.
   */
  #spareCore(): boolean {
    let busy = 0;
    for (const lane of this.#lanes) if (lane.busy) busy++;
    return busy < navigator.hardwareConcurrency;
  }

  /**
   * Watches the bell for a moment before sleeping on it, since a wake-up
   * costs more than a tiny task's whole round trip. It yields to the
   * microtask queue while it watches: the code awaiting the results just
   * handed out runs, and may submit the next task.
   */
  async #spin(seen: number): Promise<boolean> {
    const end = performance.now() + SPIN_MS;
    do {
      for (let i = 0; i < 16; i++) {
        await null;
        if (bellSeq(this.#bell) !== seen) return true;
      }
    } while (performance.now() < end);
    return false;
  }

  /** Hands over every answer that has arrived; whether there was one. */
  #collect(): boolean {
    let any = false;
    for (const lane of this.#lanes) if (lane.collect()) any = true;
    return any;
  }
}

/** One worker thread of a pool. */
class ThreadLane implements Lane<ThreadPayload> {
  readonly #lanes: ThreadLanes;
  readonly #events: LaneEvents;
  readonly #worker: Worker;
  readonly #data: WorkerData;
  readonly #requests: SimpleQueue<Request | typeof STOP>;
  readonly #responses: SimpleQueue<Response>;
  /** The claim word of each request sent and not answered, by task id. */
  readonly #claims = new Map<number, number>();
  #sent = 0;
  /** Its unanswered requests count in the pool's in-flight total. */
  #counted = true;
  /** Its running task was stopped: it leaves by itself. */
  #stopped = false;
  #ended = false;
  /** `terminate()` was called: its `exit` event does not prove it stopped. */
  #terminated = false;
  /**
   * Messages for it before it listens (they would be lost), or undefined
   * once it does.
   */
  #outbox: [unknown, ArrayBuffer[]][] | undefined = [];

  constructor(
    lanes: ThreadLanes,
    events: LaneEvents,
    options: ThreadLaneOptions,
    bell: Int32Array,
  ) {
    this.#lanes = lanes;
    this.#events = events;
    this.#requests = new SimpleQueue({ maxWaiters: 2 });
    this.#responses = new SimpleQueue({ maxWaiters: 2 });
    this.#data = {
      heap: heapRef(),
      module: options.module,
      initializer: options.initializer,
      // Not pinned: the lane holds both queues for as long as the worker runs.
      requests: handleOf(this.#requests) as QueueHandle,
      responses: handleOf(this.#responses) as QueueHandle,
      claims: createClaims(),
      info: createInfo(),
      bell,
    };
    const { worker, exited } = startWorker(ENTRY, this.#data, {
      name: lanes.nextName(),
      ref: false,
      resourceLimits: options.resourceLimits,
    });
    this.#worker = worker;
    // The worker's first message says that it is ready: it listens for
    // messages, has loaded the module and run the initializer.
    worker.once("message", () => {
      const outbox = this.#outbox ?? [];
      this.#outbox = undefined;
      for (const [message, transfer] of outbox) {
        worker.postMessage(message, transfer);
      }
      this.#events.ready();
    });
    exited.then((exit) => this.#exited(exit));
  }

  /** Whether it has requests in flight (a stopped one may compute on). */
  get busy(): boolean {
    return this.#claims.size > 0;
  }

  send(id: number, payload: ThreadPayload): void {
    const message = payload.message;
    if (message !== undefined) {
      // First the arguments, then the request that says to wait for them.
      this.#post({ id, args: message.args }, message.transfer);
      if (message.transfer.length > 0) payload.message = undefined;
    }
    const index = claimIndex(this.#sent++);
    Atomics.store(this.#data.claims, index, QUEUED);
    if (payload.encoded !== undefined) {
      putEncoded(this.#requests, payload.encoded);
    } else {
      this.#requests.put(payload.request);
    }
    this.#claims.set(id, index);
    if (this.#counted) this.#lanes.sent();
  }

  takeBack(id: number): boolean {
    const index = this.#claims.get(id);
    return index !== undefined &&
      Atomics.compareExchange(this.#data.claims, index, QUEUED, CANCELLED) ===
        QUEUED;
  }

  stop(id: number, how: number): boolean {
    const index = this.#claims.get(id);
    if (index !== undefined) {
      Atomics.compareExchange(this.#data.claims, index, CLAIMED, how);
    }
    if (!this.#stopped) {
      this.#stopped = true;
      // It leaves as soon as the stopped task gives control back (before it
      // claims another request, or when its event loop gets this message).
      Atomics.store(this.#data.info, INFO_RETIRE, 1);
      this.#post({ retire: true }, []);
      this.#uncount();
    }
    return true;
  }

  end(): void {
    if (this.#stopped || this.#ended) return;
    this.#ended = true;
    this.#requests.put(STOP);
  }

  close(): void {
    // Until it has exited, as the pool waits for that.
    this.#worker.ref();
    // A stopped task may compute forever: do not wait for it. Its locks stay
    // held until it says it is gone.
    if (this.#stopped) this.terminate();
    else this.end();
  }

  terminate(): void {
    this.#terminated = true;
    this.#uncount();
    this.#worker.terminate();
    // It may be blocked reading one, where termination cannot reach it.
    shutDownThreadSockets(this.#data.info);
  }

  /** Hands over the answers that have arrived; whether there was one. */
  collect(): boolean {
    let any = false;
    while (this.#responses.qsize() > 0) {
      this.#answer(this.#responses.getNowait());
      any = true;
    }
    return any;
  }

  #answer([id, status, value]: Response): void {
    // An answer for a request taken back (SKIPPED) still comes.
    if (!this.#claims.delete(id)) return;
    if (this.#counted) this.#lanes.settled(1);
    this.#events.answered(id, status, value);
  }

  /** Its requests no longer keep the pool's collecting loop going. */
  #uncount(): void {
    if (!this.#counted) return;
    this.#counted = false;
    this.#lanes.settled(this.#claims.size);
  }

  /** Posts to the worker, or holds the message until it listens. */
  #post(message: unknown, transfer: ArrayBuffer[]): void {
    if (this.#outbox === undefined) this.#worker.postMessage(message, transfer);
    else this.#outbox.push([message, transfer]);
  }

  #exited({ code, error }: WorkerExit): void {
    // What it answered before it died still counts.
    this.collect();
    this.#uncount();
    this.#lanes.gone(this);
    const info = this.#data.info;
    // A thread that died of an error could not close them.
    shutDownThreadSockets(info);
    const ident = Atomics.load(info, INFO_IDENT);
    // After terminate(), `exit` comes at once while the thread may still
    // run: its locks are its own until it says it is gone.
    if (ident !== 0) {
      if (!this.#terminated || Atomics.load(info, INFO_GONE) !== 0) {
        reapThread(ident);
      } else {
        whenGone(info).then(() => reapThread(ident));
      }
    }
    const exit: LaneExit = {
      code,
      error,
      why: Atomics.load(info, INFO_OUT_OF_MEMORY) !== 0
        ? ": it ran out of memory"
        : "",
      ready: Atomics.load(info, INFO_READY) === 1,
    };
    this.#events.exited(exit);
  }
}
