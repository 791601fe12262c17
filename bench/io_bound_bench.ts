// The tutorial's IO-bound pair (example/example_3.py): write a 110 MB
// string to a file, twice. Sequential; both at once on one event loop
// (Promise.all: Deno runs file writes off the main thread); on a ThreadPool
// and a ProcessPool of 2; and, in the same run, Python sequential, on a
// ThreadPoolExecutor(2) and a ProcessPoolExecutor(2)
// (bench/python/seed_bench.py).
//
//   deno bench --allow-read --allow-run --allow-write=bench/.scratch bench/io_bound_bench.ts
//
// The files go to bench/.scratch/ (removed at the end), each removed right
// after it is written; the tutorial removes them with a `rm -rf` process,
// which both sides leave out here. The pools are warm: started, and each
// worker's text built, before the measured time. The tutorial measured
// 0.10 s sequential and 0.11 s on two threads. BENCH_QUICK=1 writes 11 MB.

import {
  askPython,
  benchCase,
  check,
  closePool,
  poolOf,
} from "./_tutorial_cases.ts";
import { GROUPS, PAIR, PLAN, pooled, V } from "./_tutorial_plan.ts";

const IO_GROUP = GROUPS.io;
const TEXT_REPEAT = PLAN.textRepeat;
import {
  largeText,
  writeLargeText,
  writeLargeTextSync,
} from "./_tutorial_tasks.ts";

const SCRATCH = new URL("./.scratch/", import.meta.url).pathname;
Deno.mkdirSync(SCRATCH, { recursive: true });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(SCRATCH, { recursive: true });
  } catch {
    // Already gone.
  }
});

const paths = (who: string) =>
  Array.from({ length: PAIR }, (_, i) => `${SCRATCH}${who}_${i + 1}.txt`);
const expected = PAIR * largeText(TEXT_REPEAT).length;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const options = { n: 5, warmup: 2 };

benchCase(IO_GROUP, V.sequential, { baseline: true, ...options }, async () => {
  await closePool();
  check(
    V.sequential,
    sum(paths("deno").map((path) => writeLargeTextSync(path, TEXT_REPEAT))),
    expected,
  );
});

benchCase(IO_GROUP, V.promiseAll, options, async () => {
  const written = await Promise.all(
    paths("deno").map((path) => writeLargeText(path, TEXT_REPEAT)),
  );
  check(V.promiseAll, sum(written), expected);
});

for (
  const [kind, variant] of [["thread", V.threadPool], [
    "process",
    V.processPool,
  ]] as const
) {
  benchCase(IO_GROUP, pooled(variant, PAIR), options, async (b) => {
    const pool = await poolOf(kind, PAIR, {
      read: true,
      write: [SCRATCH],
    });
    b.start();
    const written = await pool.starmap(
      "writeLargeTextSync",
      paths(kind).map((path) => [path, TEXT_REPEAT] as [string, number]),
      { chunksize: 1 },
    );
    b.end();
    check(variant, sum(written), expected);
  });
}

benchCase(IO_GROUP, V.pySequential, options, async () => {
  await closePool();
  check(
    V.pySequential,
    await askPython(`io seq ${PAIR} ${TEXT_REPEAT} ${SCRATCH}`),
    expected,
  );
});
for (
  const [mode, variant] of [["threads", V.pyThreads], [
    "processes",
    V.pyProcesses,
  ]] as const
) {
  benchCase(IO_GROUP, pooled(variant, PAIR), options, async () => {
    check(
      variant,
      await askPython(`io ${mode} ${PAIR} ${TEXT_REPEAT} ${SCRATCH}`),
      expected,
    );
  });
}
