// What the cross-worker primitives cost, side by side with what they replace.
//
//   deno bench --allow-read --allow-run=python3 bench/primitives_bench.ts
//
// Groups (Deno prints each case's ratio to the group's baseline):
//
// - "uncontended": one iteration is 100,000 `acquireSync(); release()` pairs
//   on one thread; ns per pair = time/iter ÷ 100,000. Baseline: a bare
//   `Atomics.compareExchange` + `Atomics.store` loop, the least a lock can
//   cost. Also RLock, Semaphore and the async face (`await lock.acquire()`).
// - "hand-off": one iteration is 10,000 round trips between two Workers
//   (the main thread only starts them and waits); µs per round trip =
//   time/iter ÷ 10,000. Two Events each cleared by its waiter, two
//   Semaphore(0)s, and a Condition with a turn word, all with the Sync faces.
//   Baseline: the same ping-pong on bare Atomics.wait / notify, no spinning.
//   Also a pure spin on one word (the floor) and a postMessage ping-pong
//   between the main thread and a Worker.
// - "contended counter": two Workers each do N lock-protected `counter++`
//   on one Lock; ops/s = 2N ÷ time/iter. Baseline: the same program in
//   Python 3 (bench/python/lock_counter.py: two threading.Threads, one
//   threading.Lock), started once and driven over its stdin and stdout.
//
// The Workers and the Python process start once, at load, and are ended by
// the "unload" event, so that `deno bench` exits by itself. A loop that does
// not finish within 30 s (a lost wake-up leaves both Workers asleep) fails
// its case, and fresh Workers run the next ones. The whole run takes about
// 20 s. Results swing with the machine's load: spinning pays off only while
// both Workers have a CPU of their own.

import { fileURLToPath } from "node:url";
import { Condition, Event, Lock, RLock, Semaphore } from "../mod.ts";
import {
  type Case,
  COUNTER,
  FUTEX,
  type Request,
  type Shared,
  SPIN,
  TURN,
  WORDS,
} from "./_primitives_protocol.ts";

/** Lock/release pairs per iteration of the uncontended group. */
const PAIRS = 100_000;
/** Round trips per iteration of the hand-off group. */
const ROUNDS = 10_000;
/** Increments per thread per iteration of the contended counter. */
const INCREMENTS = 200_000;

// ---------------------------------------------------------------------------
// Uncontended: one thread, nobody else touches the word.

const bare = new Int32Array(new SharedArrayBuffer(4));
const lock = new Lock();
const rlock = new RLock();
const semaphore = new Semaphore(1);

const uncontended = { group: "uncontended", n: 200, warmup: 20 };

function checkFree(free: boolean): void {
  if (!free) throw new Error("The primitive was left held");
}

Deno.bench("bare Atomics.compareExchange + store", {
  ...uncontended,
  baseline: true,
}, () => {
  for (let i = 0; i < PAIRS; i++) {
    Atomics.compareExchange(bare, 0, 0, 1);
    Atomics.store(bare, 0, 0);
  }
  checkFree(Atomics.load(bare, 0) === 0);
});

Deno.bench("Lock acquireSync + release", uncontended, () => {
  for (let i = 0; i < PAIRS; i++) {
    lock.acquireSync();
    lock.release();
  }
  checkFree(!lock.locked);
});

Deno.bench("RLock acquireSync + release", uncontended, () => {
  for (let i = 0; i < PAIRS; i++) {
    rlock.acquireSync();
    rlock.release();
  }
  checkFree(!rlock.locked);
});

Deno.bench("Semaphore acquireSync + release", uncontended, () => {
  for (let i = 0; i < PAIRS; i++) {
    semaphore.acquireSync();
    semaphore.release();
  }
  checkFree(semaphore.value === 1);
});

Deno.bench("Lock await acquire + release", uncontended, async () => {
  for (let i = 0; i < PAIRS; i++) {
    await lock.acquire();
    lock.release();
  }
  checkFree(!lock.locked);
});

// ---------------------------------------------------------------------------
// Workers: started once; each request runs a whole loop and answers once.

class BenchWorker {
  #worker = new Worker(new URL("./_primitives_worker.ts", import.meta.url), {
    type: "module",
  });
  #pending: PromiseWithResolvers<void> | undefined;

  constructor() {
    this.#worker.onmessage = ({ data }) => {
      const pending = this.#pending!;
      this.#pending = undefined;
      if (data.ok) pending.resolve();
      else pending.reject(new Error(`In a bench Worker: ${data.error}`));
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#pending?.reject(event.error ?? new Error(event.message));
      this.#pending = undefined;
    };
  }

  call(request: Request): Promise<void> {
    if (this.#pending) throw new Error("A bench Worker got two requests");
    this.#pending = Promise.withResolvers();
    this.#worker.postMessage(request);
    return this.#pending.promise;
  }

  terminate(): void {
    this.#worker.terminate();
  }
}

/**
 * The two bench Workers and what they share. A loop that stalls (a lost
 * wake-up would leave both Workers asleep for ever) fails its case after
 * STALL_MS, and the pair is replaced so that the next cases still run.
 */
class Pair {
  readonly words = new Int32Array(new SharedArrayBuffer(WORDS * 4));
  readonly #workers = [new BenchWorker(), new BenchWorker()] as const;
  readonly #ready: Promise<unknown>;

  constructor() {
    const shared: Shared = {
      ping: new Event().handle,
      pong: new Event().handle,
      pingSemaphore: new Semaphore(0).handle,
      pongSemaphore: new Semaphore(0).handle,
      condition: new Condition().handle,
      lock: new Lock().handle,
      words: this.words.buffer as SharedArrayBuffer,
    };
    this.#ready = Promise.all(
      this.#workers.map((w) => w.call({ op: "init", shared })),
    );
  }

  /**
   * Sends one request to each Worker and waits for both answers. If either
   * fails or the pair stalls, the other may be stuck: replace the pair.
   */
  async run(what: string, first: Request, second: Request): Promise<void> {
    await this.#ready;
    try {
      await withinStallTime(
        what,
        Promise.all([
          this.#workers[0].call(first),
          this.#workers[1].call(second),
        ]),
      );
    } catch (error) {
      this.terminate();
      if (pair === this) pair = new Pair();
      throw error;
    }
  }

  /** One request to the first Worker, for the postMessage round trip. */
  async echo(): Promise<void> {
    await this.#workers[0].call({ op: "echo" });
  }

  async ready(): Promise<void> {
    await this.#ready;
  }

  terminate(): void {
    for (const worker of this.#workers) worker.terminate();
  }
}

/** How long a loop may take before its case fails as stalled. */
const STALL_MS = 30_000;

/** Waits for `work`, or fails after STALL_MS (calling `onStall` first). */
async function withinStallTime(
  what: string,
  work: Promise<unknown>,
  onStall?: () => void,
): Promise<void> {
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
    await Promise.race([work, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

let pair = new Pair();

/** Runs one ping-pong of ROUNDS round trips between the two Workers. */
async function pingPong(name: Case): Promise<void> {
  await pair.run(
    `The ${name} ping-pong (are both Workers asleep: a lost wake-up?)`,
    { op: `${name}-ping`, rounds: ROUNDS },
    { op: `${name}-pong`, rounds: ROUNDS },
  );
  const words = pair.words;
  if (words[TURN] !== 0 || words[FUTEX] !== 0 || words[SPIN] !== 0) {
    throw new Error(`The ${name} ping-pong ended out of turn`);
  }
}

// ---------------------------------------------------------------------------
// Hand-off latency. The spinning cases take ~10-20 ms an iteration, the
// sleeping ones ~0.5-1 s: a few iterations of those are enough.

const fast = { group: "hand-off", n: 40, warmup: 5 };
const slow = { group: "hand-off", n: 5, warmup: 1 };

Deno.bench(
  "raw futex ping-pong (Atomics.wait/notify, no spin)",
  { ...slow, baseline: true },
  async () => await pingPong("futex"),
);

Deno.bench("Event ping-pong (set/waitSync/clear)", fast, async () => {
  await pingPong("event");
});

Deno.bench(
  "Semaphore(0) pair ping-pong (release/acquireSync)",
  fast,
  async () => {
    await pingPong("semaphore");
  },
);

Deno.bench(
  "Condition ping-pong (notify/waitSync, turn word)",
  fast,
  async () => {
    await pingPong("condition");
  },
);

Deno.bench("spin ping-pong (Atomics.load loop, the floor)", fast, async () => {
  await pingPong("spin");
});

Deno.bench("postMessage ping-pong (main <-> Worker)", slow, async () => {
  await pair.ready();
  for (let i = 0; i < ROUNDS; i++) await pair.echo();
});

// ---------------------------------------------------------------------------
// Contended counter: Deno Workers against Python threads, same N.

/** The Python counter process, driven one line at a time. */
class PythonCounter {
  #child: Deno.ChildProcess | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #lines: AsyncGenerator<string> | undefined;
  #failure: string | undefined;

  constructor(script: URL) {
    try {
      this.#child = new Deno.Command("python3", {
        args: [fileURLToPath(script)],
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

  /** Runs two threads of `n` increments; throws if the count is wrong. */
  async run(n: number): Promise<void> {
    if (this.#failure) throw new Error(this.#failure);
    try {
      await this.#writer!.write(new TextEncoder().encode(`${n}\n`));
    } catch (error) {
      this.#failure = `python3 exited before it was asked (${error})`;
      throw new Error(this.#failure);
    }
    let line: IteratorResult<string> | undefined;
    await withinStallTime(
      "The Python counter",
      this.#lines!.next().then((result) => line = result),
      () => {
        this.#failure = "python3 stalled and was killed";
        this.close();
      },
    );
    const { value, done } = line!;
    if (done) {
      this.#failure = "python3 exited before it answered";
      throw new Error(this.#failure);
    }
    if (!value.startsWith("ok ")) {
      throw new Error(`The Python counter failed: ${value}`);
    }
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

const python = new PythonCounter(
  new URL("./python/lock_counter.py", import.meta.url),
);

const counter = { group: "contended counter", n: 20, warmup: 3 };

Deno.bench(
  `Python: 2 threads × ${INCREMENTS} increments under threading.Lock`,
  { ...counter, baseline: true },
  async () => await python.run(INCREMENTS),
);

Deno.bench(
  `Deno: 2 Workers × ${INCREMENTS} increments under Lock (acquireSync)`,
  counter,
  async () => {
    const request: Request = { op: "count", n: INCREMENTS };
    Atomics.store(pair.words, COUNTER, 0);
    await pair.run("The Deno counter (a lost wake-up?)", request, request);
    const total = Atomics.load(pair.words, COUNTER);
    if (total !== 2 * INCREMENTS) {
      throw new Error(`The counter is ${total}, expected ${2 * INCREMENTS}`);
    }
  },
);

// ---------------------------------------------------------------------------

globalThis.addEventListener("unload", () => {
  pair.terminate();
  python.close();
});
