// What a queue between two threads costs, side by side with what it
// replaces.
//
//   deno bench --allow-read --allow-run=python3 bench/queue_bench.ts
//
// Groups (Deno prints each case's ratio to the group's baseline):
//
// - "queue throughput": one iteration streams N small items
//   (`{ id: i, name: "item", value: i * 1.5 }`: 42 characters as JSON, 54
//   bytes in a Queue) from a producer Worker to a consumer Worker, one put
//   (or postMessage) per item; the consumer checks their order and sums their
//   values. items/s = N ÷ time/iter. The main thread only starts both and
//   waits. Through a Queue(1024) and a Queue() (`putSync` / `getSync`), a
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

import { Queue, SimpleQueue } from "../mod.ts";
import {
  BOUNDED,
  checksum,
  type Request,
  type Shared,
  type Via,
} from "./_queue_protocol.ts";
import { PythonChild } from "./_python.ts";
import { WorkerPair } from "./_shared.ts";

/** Items per iteration of the throughput group. */
const N = 100_000;
/** Round trips per iteration of the latency group. */
const ROUNDS = 10_000;

// ---------------------------------------------------------------------------
// Workers: started once; each request runs a whole loop and answers once.

/** The queues of a pair of bench Workers (see Shared). */
interface Queues {
  bounded: Queue<unknown>;
  unbounded: Queue<unknown>;
  simple: SimpleQueue<unknown>;
  ping: Queue<unknown>;
  pong: Queue<unknown>;
}

/**
 * The two bench Workers, the queues they share (`pair.shared`) and the
 * MessageChannel between them; a failed run replaces them all.
 */
const pair = new WorkerPair<Request, number, Queues>(
  new URL("./_queue_worker.ts", import.meta.url),
  () => {
    const queues = {
      bounded: new Queue(BOUNDED),
      unbounded: new Queue(),
      simple: new SimpleQueue(),
      ping: new Queue(),
      pong: new Queue(),
    };
    const shared: Shared = {
      bounded: queues.bounded.handle,
      unbounded: queues.unbounded.handle,
      simple: queues.simple.handle,
      ping: queues.ping.handle,
      pong: queues.pong.handle,
    };
    const { port1, port2 } = new MessageChannel();
    return {
      shared: queues,
      init: [
        { op: "init", shared, port: port1 },
        { op: "init", shared, port: port2 },
      ],
      transfer: [[port1], [port2]],
    };
  },
);

/** Streams N items from the first Worker to the second; checks them. */
async function stream(via: Via): Promise<void> {
  const sum = await pair.run(
    `The ${via} stream (are both Workers asleep: a lost wake-up?)`,
    { op: "produce", via, n: N },
    { op: "consume", via, n: N },
  );
  checkSum(`The ${via} stream`, sum);
  if (via !== "post" && pair.shared[via].qsize() !== 0) {
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

/**
 * Asks `python` for n items through a queue of maxsize; it answers
 * "ok <checksum> <elapsed ns>". Throws if any item went amiss.
 */
async function pythonStream(
  python: PythonChild,
  n: number,
  maxsize: number,
): Promise<void> {
  const [sum] = (await python.ask(`${n} ${maxsize}`)).split(" ");
  checkSum(`python3 ${python.name}`, Number(sum));
}

const threads = new PythonChild(
  new URL("./python/queue_threads.py", import.meta.url),
);
const processes = new PythonChild(
  new URL("./python/queue_processes.py", import.meta.url),
);

// ---------------------------------------------------------------------------
// Throughput. The Queue cases take ~30-40 ms an iteration, the postMessage
// one ~200-260 ms, the Python ones ~0.2-1.5 s.

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
  async () => await pythonStream(threads, N, BOUNDED),
);

Deno.bench(
  `Python queue.Queue(), thread -> thread, ${N} items`,
  slow,
  async () => await pythonStream(threads, N, 0),
);

Deno.bench(
  `Python multiprocessing.Queue(${BOUNDED}), process -> process, ${N} items`,
  slow,
  async () => await pythonStream(processes, N, BOUNDED),
);

Deno.bench(
  `Python multiprocessing.Queue(), process -> process, ${N} items`,
  slow,
  async () => await pythonStream(processes, N, 0),
);

// ---------------------------------------------------------------------------
// Hand-off latency. The Queue ping-pong takes ~20-30 ms an iteration, the
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
