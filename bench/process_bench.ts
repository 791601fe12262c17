// ProcessPool against Python's ProcessPoolExecutor(2) and Pool(2), in the
// same run, and against ThreadPool: tiny tasks all at once, one task at a
// time, map with chunks, CPU-bound 5 ms tasks; a pool's start against a bare
// `deno run`, and Process start + join against Python's Process.
//
//   deno bench --allow-read --allow-run bench/process_bench.ts
//
// Deno.bench awaits only an `async` function. The Python side (bench/python/process_pool.py) is started once and driven
// over its stdin; its pools are warm, as ours are (each Deno case keeps one
// pool for all its iterations, but "start").

import { Process, ProcessPool, ThreadPool } from "../pools/mod.ts";
import { PythonChild } from "./_python.ts";
import { bench } from "./_select.ts";

const python = new PythonChild(
  new URL("./python/process_pool.py", import.meta.url),
);
const inc = (n: number) => n + 1;
const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Busy.
  }
  return 1;
};
const processes = new ProcessPool({ maxWorkers: 2, minWorkers: 2 });
const threads = new ThreadPool({ maxWorkers: 2, minWorkers: 2 });
await processes.submit(inc, 0);
await threads.submit(inc, 0);
globalThis.addEventListener("unload", () => {
  processes.shutdown({ wait: false });
  threads.shutdown({ wait: false });
});

function check(what: string, total: number, expected: number): void {
  if (total !== expected) {
    throw new Error(`${what}: checksum ${total}, expected ${expected}`);
  }
}

async function ask(question: string, expected: number): Promise<void> {
  const [total] = (await python.ask(question)).split(" ");
  check(`python3 ${question}`, Number(total), expected);
}

const sumInc = (n: number) => n * (n + 1) / 2;

async function tiny(pool: ProcessPool | ThreadPool, n: number) {
  const futures = [];
  for (let i = 0; i < n; i++) futures.push(pool.submit(inc, i));
  check(
    "tiny",
    (await Promise.all(futures)).reduce((a, b) => a + b, 0),
    sumInc(n),
  );
}

const TINY = 20_000;
bench("ProcessPool", {
  group: "20,000 tiny tasks at once",
  baseline: true,
  n: 10,
  warmup: 2,
}, async () => await tiny(processes, TINY));
bench(
  "ThreadPool",
  { group: "20,000 tiny tasks at once", n: 10, warmup: 2 },
  async () => await tiny(threads, TINY),
);
bench("Python ProcessPoolExecutor(2)", {
  group: "20,000 tiny tasks at once",
}, async () => await ask(`tiny ${TINY}`, sumInc(TINY)));

const SEQ = 1000;
async function sequential(pool: ProcessPool | ThreadPool) {
  let total = 0;
  for (let i = 0; i < SEQ; i++) total += await pool.submit(inc, i);
  check("seq", total, sumInc(SEQ));
}
bench("ProcessPool", {
  group: "1,000 tasks one at a time",
  baseline: true,
  n: 10,
  warmup: 2,
}, async () => await sequential(processes));
bench(
  "ThreadPool",
  { group: "1,000 tasks one at a time" },
  async () => await sequential(threads),
);
bench("Python ProcessPoolExecutor(2)", {
  group: "1,000 tasks one at a time",
}, async () => await ask(`seq ${SEQ}`, sumInc(SEQ)));
bench("Python ThreadPoolExecutor(2)", {
  group: "1,000 tasks one at a time",
}, async () => await ask(`threadseq ${SEQ}`, sumInc(SEQ)));

const MAP = 200_000;
const items = Array.from({ length: MAP }, (_, i) => i);
async function map(pool: ProcessPool | ThreadPool) {
  const results = await pool.map(inc, items, { chunksize: 1000 });
  check("map", results.reduce((a, b) => a + b, 0), sumInc(MAP));
}
bench("ProcessPool.map", {
  group: "map of 200,000 items, chunksize 1000",
  baseline: true,
  n: 10,
  warmup: 2,
}, async () => await map(processes));
bench(
  "ThreadPool.map",
  { group: "map of 200,000 items, chunksize 1000" },
  async () => await map(threads),
);
bench("Python Pool(2).map", {
  group: "map of 200,000 items, chunksize 1000",
}, async () => await ask(`map ${MAP} 1000`, sumInc(MAP)));

const CPU = 40;
async function cpu(pool: ProcessPool | ThreadPool): Promise<void> {
  const futures = [];
  for (let i = 0; i < CPU; i++) futures.push(pool.submit(spin, 5));
  check("cpu", (await Promise.all(futures)).reduce((a, b) => a + b, 0), CPU);
}
bench(
  "ProcessPool",
  { group: "40 CPU-bound 5 ms tasks", baseline: true },
  async () => await cpu(processes),
);
bench(
  "ThreadPool",
  { group: "40 CPU-bound 5 ms tasks" },
  async () => await cpu(threads),
);
bench("Python ProcessPoolExecutor(2)", {
  group: "40 CPU-bound 5 ms tasks",
}, async () => await ask(`cpu ${CPU} 5`, CPU));
// One process: the speed-up of two is against this.
const single = new ProcessPool({ maxWorkers: 1, minWorkers: 1 });
await single.submit(inc, 0);
globalThis.addEventListener("unload", () => single.shutdown({ wait: false }));
bench(
  "ProcessPool of 1",
  { group: "40 CPU-bound 5 ms tasks" },
  async () => await cpu(single),
);

// A pool of maxWorkers processes, ready: each has answered a task (sent at
// once, one to each), against one bare `deno run` of an empty file.
const empty = new URL("./_empty.ts", import.meta.url).pathname;
bench("ProcessPool of 2, both ready", {
  group: "pool start",
  baseline: true,
  n: 10,
  warmup: 1,
}, async () => {
  const pool = new ProcessPool({ maxWorkers: 2 });
  await pool.map(inc, [1, 2], { chunksize: 1 });
  await pool.shutdown();
});
bench("bare deno run of an empty file", {
  group: "pool start",
  n: 10,
  warmup: 1,
}, async () => {
  await new Deno.Command(Deno.execPath(), { args: ["run", empty] }).output();
});

bench("Process start + join", {
  group: "Process start + join",
  baseline: true,
  n: 10,
  warmup: 1,
}, async () => {
  const process = new Process({ target: () => {} });
  process.start();
  await process.join();
});
bench("Python Process start + join (fork)", {
  group: "Process start + join",
  n: 10,
  warmup: 1,
}, async () => await ask("process 1", 1));
