// More programs that pools/process_shared_test.ts runs with --allow-ffi:
// each primitive used by 2 to 8 real processes at once, and the tutorial's
// communication-process.py and process-pipe.py. Each prints what it saw;
// every wait is bounded, so a scenario that would hang fails instead.

import {
  AbandonedLockError,
  Barrier,
  BoundedSemaphore,
  Condition,
  EOFError,
  Event,
  Lock,
  Pipe,
  Process,
  Queue,
  SharedArray,
  Value,
} from "../../mod.ts";
import {
  type BigItem,
  isPayloadOf,
  payloadOf,
  reprOf,
} from "./shared_tasks.ts";

const tasks = new URL("./shared_tasks.ts", import.meta.url);
const WAIT = { timeout: 10_000 };

/** Starts a process running `target` of shared_tasks.ts with `args`. */
function start(target: string, ...args: unknown[]): Process {
  const p = new Process({ module: tasks, target, args });
  p.start();
  return p;
}

/**
 * Joins every process, killing those still running after `bound` ms, then
 * their exit codes, joined by ",".
 */
async function joinAll(
  processes: Process[],
  bound = WAIT.timeout,
): Promise<string> {
  const deadline = Date.now() + bound;
  for (const p of processes) {
    if (!await p.join({ timeout: Math.max(0, deadline - Date.now()) })) {
      p.kill();
    }
  }
  for (const p of processes) await p.join();
  return processes.map((p) => p.exitCode).join(",");
}

/** Runs `op`, once more if its first try found a lock a dead owner left. */
function retryAbandoned<T>(op: () => T, abandoned: { count: number }): T {
  try {
    return op();
  } catch (error) {
    if (!(error instanceof AbandonedLockError)) throw error;
    abandoned.count++;
    return op();
  }
}

switch (Deno.args[0]) {
  case "semaphore": {
    // 4 processes x 200 entries into BoundedSemaphore(2).
    const semaphore = new BoundedSemaphore(2);
    const startLine = new Barrier(4);
    const inside = new Value("i32", 0);
    const max = new Value("i32", 0);
    const entries = new Value("i32", 0);
    const processes = [0, 1, 2, 3].map(() =>
      start("enterSemaphore", semaphore, startLine, inside, max, entries, 200)
    );
    console.log(
      await joinAll(processes),
      max.value,
      entries.value,
      inside.value,
      semaphore.value,
    );
    break;
  }
  case "barrier": {
    // 3 processes meet 200 times.
    const rounds = 200;
    const barrier = new Barrier(3);
    const arrived = new SharedArray("i32", rounds);
    const indexes = new SharedArray("i32", rounds * 3);
    const early = new Value("i32", 0);
    const processes = [0, 1, 2].map((me) =>
      start("barrierRounds", barrier, me, rounds, arrived, indexes, early)
    );
    const codes = await joinAll(processes);
    const full = arrived.toArray().filter((mask) => mask === 7).length;
    const once = indexes.toArray().filter((n) => n === 1).length;
    console.log(codes, full, once, early.value, barrier.broken);
    break;
  }
  case "condition": {
    // 1 producer, 2 consumers, 20,000 items through a ring of 8 slots.
    const n = 20_000;
    const condition = new Condition();
    const buffer = new SharedArray("i32", 8);
    const state = new SharedArray("i32", 3); // count, head, tail
    const seen = new SharedArray("u8", n + 1);
    const results = new SharedArray("f64", 4);
    const processes = [
      start("conditionProduce", condition, buffer, state, n, 2),
      ...[0, 1].map((me) =>
        start("conditionConsume", condition, buffer, state, seen, results, me)
      ),
    ];
    const codes = await joinAll(processes);
    const [count0, sum0, count1, sum1] = results.toArray();
    const once = seen.toArray().filter((k) => k === 1).length;
    console.log(
      codes,
      count0! + count1!,
      sum0! + sum1!,
      once,
      seen.get(0),
      count0! > 0 && count1! > 0,
    );
    break;
  }
  case "queue-big": {
    // 4 producers, 4 consumers, Deno.args[1] items, payloads up to 64 KiB.
    const total = Number(Deno.args[1]);
    const n = total / 4; // per producer
    const most = 64 * 1024;
    const queue = new Queue<BigItem>(64);
    const by = new SharedArray("i32", total);
    const at = new SharedArray("i32", total);
    const bad = new Value("i32", 0);
    const dups = new Value("i32", 0);
    const producers = [0, 1, 2, 3].map((p) =>
      start("bigProduce", queue, p, n, most)
    );
    const consumers = [0, 1, 2, 3].map((c) =>
      start("bigConsume", queue, c, n, most, by, at, bad, dups)
    );
    // A bound for the whole run, not a timing: items move as they can.
    const produced = await joinAll(producers, 60_000);
    for (let c = 0; c < 4; c++) await queue.put(null, WAIT);
    const consumed = await joinAll(consumers, 60_000);
    // Every seq taken once; per producer and consumer, taken in order.
    const taken = by.array;
    const order = at.array;
    let missing = 0;
    let outOfOrder = 0;
    for (let p = 0; p < 4; p++) {
      const last = [-1, -1, -1, -1];
      for (let seq = 0; seq < n; seq++) {
        const c = taken[p * n + seq]! - 1;
        if (c < 0) {
          missing++;
          continue;
        }
        if (order[p * n + seq]! <= last[c]!) outOfOrder++;
        last[c] = order[p * n + seq]!;
      }
    }
    console.log(
      produced,
      consumed,
      missing,
      dups.value,
      outOfOrder,
      bad.value,
      queue.qsize(),
    );
    break;
  }
  case "event": {
    // 1,000 round trips between two processes.
    const n = 1_000;
    const ping = new Event();
    const pong = new Event();
    const counts = new SharedArray("i32", 3);
    const processes = [
      start("ponger", ping, pong, n, counts),
      start("pinger", ping, pong, n, counts),
    ];
    console.log(await joinAll(processes), counts.toArray().join(","));
    break;
  }
  case "pipe": {
    // A child sends 1,000 messages and closes its end.
    const n = 1_000;
    const [mine, theirs] = Pipe<{ i: number; text: string }>();
    const p = start("sendAndClose", theirs, n);
    let inOrder = 0;
    let end = "none";
    for (let k = 0; k <= n; k++) {
      try {
        const { i, text } = await mine.recv(WAIT);
        if (i === k && text === `message ${k}`) inOrder++;
      } catch (error) {
        end = error instanceof EOFError ? "EOFError" : String(error);
        break;
      }
    }
    const again = await mine.recv(WAIT).then(
      () => "message",
      (error) => (error as Error).name,
    );
    let send = "sent";
    try {
      mine.send({ i: -1, text: "late" });
    } catch (error) {
      send = (error as Error).name;
    }
    console.log(await joinAll([p]), inOrder, end, again, send, theirs.closed);
    break;
  }
  case "killed-put": {
    // A child killed while it puts; the queue goes on for the others.
    // Items up to 64 KiB: the kill often lands while one is copied in.
    const most = 64 * 1024;
    const abandoned = { count: 0 };
    const lines = [];
    for (let round = 0; round < 3; round++) {
      const queue = new Queue<[number, Uint8Array]>();
      const started = new Event();
      const child = start("putForever", queue, started, most);
      await started.wait(WAIT);
      const deadline = Date.now() + WAIT.timeout;
      while (queue.qsize() < 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      child.kill();
      await child.join(WAIT);
      // What it put in whole is there, in order; nothing more.
      const size = retryAbandoned(() => queue.qsize(), abandoned);
      let whole = 0;
      let taken = 0;
      for (;;) {
        let item: [number, Uint8Array];
        try {
          item = retryAbandoned(() => queue.getNowait(), abandoned);
        } catch (error) {
          if ((error as Error).name === "QueueEmpty") break;
          throw error;
        }
        if (item[0] === taken && isPayloadOf(item[1], 0, taken, most)) whole++;
        taken++;
      }
      const empty = await queue.get({ timeout: 50 }).then(
        () => "item",
        (error) => (error as Error).name,
      );
      // Another process and this one keep using it.
      const refilled = new Event();
      const ok = new Value("i32", 0);
      const other = start("putThenTake", queue, refilled, 100, most, ok);
      let fromOther = 0;
      for (let seq = 0; seq < 100; seq++) {
        const [k, payload] = await queue.get(WAIT);
        if (k === seq && isPayloadOf(payload, 1, seq, most)) fromOther++;
      }
      for (let seq = 0; seq < 100; seq++) {
        await queue.put([seq, payloadOf(2, seq, most)], WAIT);
      }
      refilled.set();
      const codes = await joinAll([child, other]);
      lines.push(
        [
          codes,
          size >= 200,
          taken === size,
          whole === taken,
          empty,
          fromOther,
          ok.value,
          queue.qsize(),
        ].join(" "),
      );
    }
    console.log(lines.join("\n"));
    // Whether a kill caught the child inside the queue's lock (0 to 3).
    console.error(`abandoned ${abandoned.count}`);
    break;
  }
  case "communication": {
    // The tutorial's communication-process.py: a plain object is copied.
    const d = { x: 0 };
    const lock = new Lock();
    for (const worker of ["workerThread1", "workerThread2"]) {
      const t = new Process({ module: tasks, target: worker, args: [d, lock] });
      t.start();
      await t.join();
    }
    console.error(`MainProcess >> ${reprOf(d)}`);
    break;
  }
  case "process-pipe": {
    // The tutorial's process-pipe.py, and the EOF once the child closed.
    const [parentConn, childConn] = Pipe<string[]>();
    const p = new Process({
      module: tasks,
      target: "userInputPipe",
      args: [parentConn],
    });
    p.start();
    const message = await childConn.recv(WAIT);
    console.error(
      `MainProcess >> child_process >> ['${message.join("', '")}']`,
    );
    const end = await childConn.recv(WAIT).catch((e) => (e as Error).name);
    console.error(`MainProcess >> ${end}`);
    await p.join();
    break;
  }
  case "process-queue": {
    // queue_thread.py's 3 workers on one Queue, as processes.
    const q = new Queue<number | null>();
    for (let i = 0; i < 100; i++) await q.put(i);
    const ts = [0, 1, 2].map(() => start("queueWorker", q));
    console.error("MainProcess >> tasks are not done!!");
    if (!await q.join(WAIT)) throw new Error("timed out joining the queue");
    console.error("MainProcess >> tasks are done");
    for (let i = 0; i < ts.length; i++) await q.put(null);
    console.log(await joinAll(ts));
    break;
  }
  default:
    throw new Error(`no scenario ${Deno.args[0]}`);
}
