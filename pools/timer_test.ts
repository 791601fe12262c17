// Tests of Timer with real worker threads. Ported from CPython's
// Lib/test/test_threading.py (TimerTests: test_init_immutable_default_args,
// the arguments passed, cancel), plus what this module adds: cancel before
// start, a module export as the target, and the checks of the arguments.
//
// Tests assert behaviour, not timings: only that a timer does not fire
// before its interval, which the clock guarantees. Waits are bounded.

import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { Event, Queue, Value } from "../mod.ts";
import { Timer } from "./timer.ts";
import type { Thread } from "./thread.ts";
import { InvalidStateError } from "./errors.ts";
import { bounded, boundedTest } from "../testing/workers.ts";

const TASKS = new URL("./testdata/tasks.ts", import.meta.url);

/** Joins `timer`, bounded; asserts that it finished. */
async function joined(timer: Thread) {
  strictEqual(await bounded(timer.join(), `${timer.name} ends`), true);
}

const spy = (calls: Queue<unknown[]>, ...rest: unknown[]) => {
  calls.putSync(rest);
};

boundedTest(
  "Timer: fires once, with its arguments, after its interval",
  async () => {
    const calls = new Queue<unknown[]>();
    const timer = new Timer(30, spy, { args: [calls, 1, { y: 100 }] });
    const started = Date.now();
    timer.start();
    strictEqual(timer.isAlive, true);
    deepStrictEqual(await bounded(calls.get(), "the timer fires"), [1, {
      y: 100,
    }]);
    ok(Date.now() - started >= 30, "it does not fire early");
    await joined(timer);
    strictEqual(calls.qsize(), 0);
  },
);

boundedTest(
  "Timer: default arguments are not shared between timers (CPython issue 17435)",
  async () => {
    const calls = new Queue<unknown[]>();
    const first = new Timer(10, (q: Queue<unknown[]>) => q.putSync([]), {
      args: [calls],
    });
    first.start();
    await joined(first);
    const noArgs = new Timer(10, () => {});
    const alsoNoArgs = new Timer(10, () => {});
    noArgs.start();
    alsoNoArgs.start();
    await joined(noArgs);
    await joined(alsoNoArgs);
    deepStrictEqual(calls.getNowait(), []);
  },
);

boundedTest(
  "Timer: cancel() before it fires means the target never runs",
  async () => {
    const ran = new Event();
    const timer = new Timer(60_000, (e: Event) => e.set(), { args: [ran] });
    timer.start();
    timer.cancel();
    await joined(timer);
    strictEqual(ran.isSet, false);
    timer.cancel(); // does nothing now
  },
);

boundedTest(
  "Timer: cancel() before start() ends the timer at once",
  async () => {
    const ran = new Event();
    const timer = new Timer(0, (e: Event) => e.set(), { args: [ran] });
    timer.cancel();
    timer.start();
    await joined(timer);
    strictEqual(ran.isSet, false);
  },
);

boundedTest("Timer: cancel() after it fired changes nothing", async () => {
  const ran = new Event();
  const timer = new Timer(0, (e: Event) => e.set(), { args: [ran] });
  timer.start();
  await joined(timer);
  timer.cancel();
  strictEqual(ran.isSet, true);
});

boundedTest(
  "Timer: a module export as the target, a name, and one start only",
  async () => {
    const ident = new Value("i32", 0);
    const timer = new Timer(0, { module: TASKS, name: "storeIdent" }, {
      args: [ident],
      name: "t-export",
    });
    strictEqual(timer.name, "t-export");
    timer.start();
    throws(() => timer.start(), InvalidStateError);
    await joined(timer);
    strictEqual(ident.value, timer.ident);
  },
);

Deno.test("Timer: the arguments are checked", () => {
  const f = () => {};
  throws(() => new Timer("1" as never, f), {
    name: "TypeError",
    message: /'interval' must be a number of milliseconds, received "1"/,
  });
  throws(() => new Timer(-1, f), {
    name: "RangeError",
    message: /'interval' must be a non-negative .* received -1/,
  });
  throws(() => new Timer(NaN, f), RangeError);
  throws(() => new Timer(1, 42 as never), {
    name: "TypeError",
    message: /Cannot create Timer: 'target' must be a function/,
  });
  throws(() => new Timer(1, f, null as never), {
    name: "TypeError",
    message: /'options' must be an object, received null/,
  });
  throws(() => new Timer(1, f, { args: 3 as never }), {
    name: "TypeError",
    message: /'args' must be an array, received 3/,
  });
  throws(() => new Timer(1, f, { name: 3 as never }), TypeError);
  throws(() => new Timer(1, f, { daemon: "yes" as never }), TypeError);
  strictEqual(new Timer(Infinity, f).interval, Infinity);
});
