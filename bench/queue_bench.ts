// What a queue between two threads costs, side by side with what it
// replaces.
//
//   deno bench --allow-read --allow-run=python3 bench/queue_bench.ts
//
// Groups (Deno prints each case's ratio to the group's baseline):
//
// - "queue throughput": one iteration streams N small items
//   (`{ id: i, name: "item", value: i * 1.5 }`, ~42 characters of JSON) from a
//   producer Worker to a consumer Worker, which checks their order and sums
//   their values; items/s = N ÷ time/iter. The main thread only starts both
//   and waits. Through a Queue(1024) and a Queue() (`putSync` / `getSync`), a
//   SimpleQueue (`put` / `getSync`) and, the baseline, a postMessage stream:
//   a MessageChannel between the two Workers, with one port each, so no
//   message passes through the main thread. Also the same N through Python's
//   queue.Queue between two threads (bench/python/queue_threads.py) and
//   multiprocessing.Queue between two processes
//   (bench/python/queue_processes.py), each started once and driven over its
//   stdin and stdout.
// - "hand-off latency": one iteration is ROUNDS round trips of one item
//   between two Workers; µs per round trip = time/iter ÷ ROUNDS. Through two
//   Queues (`putSync` one way, `getSync` the other) and, the baseline, the
//   same ping-pong over the Workers' MessageChannel.
//
// The Workers and the Python processes start once, at load, and are ended
// by the "unload" event, so that `deno bench` exits by itself. A loop that
// does not finish within 30 s (a lost wake-up leaves both Workers asleep)
// fails its case, and fresh Workers and queues run the next ones. The whole
// run takes about 45 s. Results swing with the machine's load: spinning pays
// off only while both Workers have a CPU of their own.

import { fileURLToPath } from "node:url";
import { Queue, SimpleQueue } from "../mod.ts";
import {
  BOUNDED,
  checksum,
  type Reply,
  type Request,
  type Shared,
  type Via,
} from "./_queue_protocol.ts";

/** Items per iteration of the throughput group. */
const N = 100_000;
/** Round trips per iteration of the latency group. */
const ROUNDS = 10_000;

// ---------------------------------------------------------------------------
// Workers: started once; each request runs a whole loop and answers once.

class BenchWorker {
  #worker = new Worker(new URL("./_queue_worker.ts", import.meta.url), {
    type: "module",
  });
  #pending: PromiseWithResolvers<number | undefined> | undefined;

  constructor() {
    this.#worker.onmessage = ({ data }: MessageEvent<Reply>) => {
      const pending = this.#pending!;
      this.#pending = undefined;
      if (data.ok) pending.resolve(data.checksum);
      else pending.reject(new Error(`In a bench Worker: ${data.error}`));
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#pending?.reject(event.error ?? new Error(event.message));
      this.#pending = undefined;
    };
  }

  call(request: Request, transfer: Transferable[] = []): Promise<
    number | undefined
  > {
    if (this.#pending) throw new Error("A bench Worker got two requests");
    this.#pending = Promise.withResolvers();
    this.#worker.postMessage(request, transfer);
    return this.#pending.promise;
  }

  terminate(): void {
    this.#worker.terminate();
  }
}

/**
 * The two bench Workers, the queues they share and the MessageChannel
 * between them. A loop that stalls (a lost wake-up would leave both Workers
 * asleep for ever) fails its case after STALL_MS, and the pair is replaced,
 * queues and all, so that the next cases still run.
 */
class Pair {
  readonly queues = {
    bounded: new Queue(BOUNDED),
    unbounded: new Queue(),
    simple: new SimpleQueue(),
    ping: new Queue(),
    pong: new Queue(),
  };
  readonly #workers = [new BenchWorker(), new BenchWorker()] as const;
  readonly #ready: Promise<unknown>;

  constructor() {
    const shared: Shared = {
      bounded: this.queues.bounded.handle,
      unbounded: this.queues.unbounded.handle,
      simple: this.queues.simple.handle,
      ping: this.queues.ping.handle,
      pong: this.queues.pong.handle,
    };
    const { port1, port2 } = new MessageChannel();
    this.#ready = Promise.all([
      this.#workers[0].call({ op: "init", shared, port: port1 }, [port1]),
      this.#workers[1].call({ op: "init", shared, port: port2 }, [port2]),
    ]);
  }

  /**
   * Sends one request to each Worker and waits for both answers; returns
   * the second one's. If either fails or the pair stalls, the other may be
   * stuck: replace the pair.
   */
  async run(
    what: string,
    first: Request,
    second: Request,
  ): Promise<number | undefined> {
    await this.#ready;
    try {
      const [, answer] = await withinStallTime(
        what,
        Promise.all([
          this.#workers[0].call(first),
          this.#workers[1].call(second),
        ]),
      );
      return answer;
    } catch (error) {
      this.terminate();
      if (pair === this) pair = new Pair();
      throw error;
    }
  }

  terminate(): void {
    for (const worker of this.#workers) worker.terminate();
  }
}

/** How long a loop may take before its case fails as stalled. */
const STALL_MS = 30_000;

/** Waits for `work`, or fails after STALL_MS (calling `onStall` first). */
async function withinStallTime<T>(
  what: string,
  work: Promise<T>,
  onStall?: () => void,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onStall?.();
      reject(
        new Error(`${what} did not finish within ${STALL_MS / 1000} s`),
      );
    }, STALL_MS);
  });
  try {
    return await Promise.race([work, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

let pair = new Pair();

/** Streams N items from the first Worker to the second; checks them. */
async function stream(via: Via): Promise<void> {
  const sum = await pair.run(
    `The ${via} stream (are both Workers asleep: a lost wake-up?)`,
    { op: "produce", via, n: N },
    { op: "consume", via, n: N },
  );
  checkSum(`The ${via} stream`, sum);
  if (via !== "post" && pair.queues[via].qsize() !== 0) {
    throw new Error(`The ${via} stream left items in its queue`);
  }
}

function checkSum(what: string, sum: number | undefined): void {
  if (sum !== checksum(N)) {
    throw new Error(`${what} summed to ${sum}, expected ${checksum(N)}`);
  }
}

// ---------------------------------------------------------------------------
// Python: one long-running process per script, driven one line at a time.

/** A Python script that answers "N MAXSIZE" with "ok <checksum> <ns>". */
class PythonQueue {
  readonly #name: string;
  #child: Deno.ChildProcess | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #lines: AsyncGenerator<string> | undefined;
  #failure: string | undefined;

  constructor(script: string) {
    this.#name = script;
    try {
      this.#child = new Deno.Command("python3", {
        args: [fileURLToPath(new URL(`./python/${script}`, import.meta.url))],
        stdin: "piped",
        stdout: "piped",
      }).spawn();
      this.#writer = this.#child.stdin.getWriter();
      this.#lines = lines(this.#child.stdout);
    } catch (error) {
      this.#failure = error instanceof Deno.errors.NotFound
        ? "python3 was not found on the PATH (install Python 3 to run this case)"
        : `python3 could not be started: ${error}`;
    }
  }

  /** Streams n items through a queue of maxsize; throws if any went amiss. */
  async run(n: number, maxsize: number): Promise<void> {
    if (this.#failure) throw new Error(this.#failure);
    try {
      await this.#writer!.write(new TextEncoder().encode(`${n} ${maxsize}\n`));
    } catch (error) {
      this.#failure = `python3 exited before it was asked (${error})`;
      throw new Error(this.#failure);
    }
    const { value, done } = await withinStallTime(
      `python3 ${this.#name}`,
      this.#lines!.next(),
      () => {
        this.#failure = `python3 ${this.#name} stalled and was killed`;
        this.close();
      },
    );
    if (done) {
      this.#failure = `python3 ${this.#name} exited before it answered`;
      throw new Error(this.#failure);
    }
    const [status, sum] = value.split(" ");
    if (status !== "ok") {
      throw new Error(`python3 ${this.#name} failed: ${value}`);
    }
    checkSum(`python3 ${this.#name}`, Number(sum));
  }

  close(): void {
    try {
      this.#child?.kill();
    } catch {
      // it has exited already
    }
  }
}

async function* lines(stream: ReadableStream<Uint8Array>) {
  let buffered = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffered += text;
    let end;
    while ((end = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
    }
  }
}

const threads = new PythonQueue("queue_threads.py");
const processes = new PythonQueue("queue_processes.py");

// ---------------------------------------------------------------------------
// Throughput. The Deno cases take ~70-250 ms an iteration, the Python ones
// ~0.2-1.5 s.

const throughput = { group: "queue throughput", n: 15, warmup: 3 };
const slow = { group: "queue throughput", n: 6, warmup: 1 };

Deno.bench(
  `postMessage stream, Worker -> Worker (MessageChannel), ${N} items`,
  { ...throughput, baseline: true },
  async () => await stream("post"),
);

Deno.bench(
  `Queue(${BOUNDED}) putSync -> getSync, Worker -> Worker, ${N} items`,
  throughput,
  async () => await stream("bounded"),
);

Deno.bench(
  `Queue() putSync -> getSync, Worker -> Worker, ${N} items`,
  throughput,
  async () => await stream("unbounded"),
);

Deno.bench(
  `SimpleQueue put -> getSync, Worker -> Worker, ${N} items`,
  throughput,
  async () => await stream("simple"),
);

Deno.bench(
  `Python queue.Queue(${BOUNDED}), thread -> thread, ${N} items`,
  throughput,
  async () => await threads.run(N, BOUNDED),
);

Deno.bench(
  `Python queue.Queue(), thread -> thread, ${N} items`,
  slow,
  async () => await threads.run(N, 0),
);

Deno.bench(
  `Python multiprocessing.Queue(${BOUNDED}), process -> process, ${N} items`,
  slow,
  async () => await processes.run(N, BOUNDED),
);

Deno.bench(
  `Python multiprocessing.Queue(), process -> process, ${N} items`,
  slow,
  async () => await processes.run(N, 0),
);

// ---------------------------------------------------------------------------
// Hand-off latency. The Queue ping-pong takes ~30 ms an iteration, the
// postMessage one ~0.7 s.

const latency = { group: "hand-off latency", n: 20, warmup: 3 };

Deno.bench(
  `postMessage ping-pong, Worker <-> Worker (MessageChannel), ${ROUNDS} round trips`,
  { ...latency, n: 5, warmup: 1, baseline: true },
  async () => {
    await pair.run(
      "The postMessage ping-pong",
      { op: "ping", via: "post", rounds: ROUNDS },
      { op: "pong", via: "post", rounds: ROUNDS },
    );
  },
);

Deno.bench(
  `two Queues ping-pong (putSync/getSync), Worker <-> Worker, ${ROUNDS} round trips`,
  latency,
  async () => {
    await pair.run(
      "The Queue ping-pong (are both Workers asleep: a lost wake-up?)",
      { op: "ping", via: "queue", rounds: ROUNDS },
      { op: "pong", via: "queue", rounds: ROUNDS },
    );
  },
);

// ---------------------------------------------------------------------------

globalThis.addEventListener("unload", () => {
  pair.terminate();
  threads.close();
  processes.close();
});
