// Tests of Thread with real worker threads. Ported from CPython's
// Lib/test/test_threading.py (ThreadTests: the basics of start, join,
// is_alive, ident, name and daemon, test_various_ops, test_args_argument,
// test_BoundedSemaphore_limit, test_join_nondaemon_on_shutdown), plus what
// this module adds: module-export targets, primitives as arguments, a
// target that ends its own thread, and abandoned locks.
//
// Tests assert behaviour, not timings. Waits that a bug could turn into a
// hang are bounded (`within`, 30 s), and the preload fails a test that leaves
// a worker alive.

import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import {
  AbandonedLockError,
  BoundedSemaphore,
  Event,
  getIdent,
  Lock,
  Queue,
  RLock,
  Value,
} from "../mod.ts";
import { Thread } from "./thread.ts";
import { InvalidStateError } from "./errors.ts";
import { liveWorkers } from "./_transport.ts";
import { runProgram } from "./testdata/run_program.ts";

import { bounded, boundedTest } from "../testing/workers.ts";

const TASKS = new URL("./testdata/tasks.ts", import.meta.url);

/** Joins `thread`, bounded; asserts that it finished. */
async function joined(thread: Thread<never[]> | Thread<unknown[]>) {
  ok(
    await bounded(thread.join(), `${thread.name} ends`),
    `${thread.name} ends`,
  );
}

/** A target that says it started, then waits until `gate` is set. */
const waitForGate = (started: Event, gate: Event) => {
  started.set();
  gate.waitSync();
};

// ------------------------------------------------------------------ basics

boundedTest(
  "Thread: name, daemon, ident and isAlive before start (Python's test_name, test_daemon_param)",
  async () => {
    const a = new Thread({ target: () => {} });
    const b = new Thread({ target: () => {} });
    ok(/^Thread-\d+$/.test(a.name), a.name);
    ok(/^Thread-\d+$/.test(b.name), b.name);
    notStrictEqual(a.name, b.name);
    strictEqual(
      new Thread({ target: () => {}, name: "myname1" }).name,
      "myname1",
    );
    strictEqual(a.daemon, false);
    strictEqual(new Thread({ target: () => {}, daemon: false }).daemon, false);
    strictEqual(new Thread({ target: () => {}, daemon: true }).daemon, true);
    strictEqual(a.ident, undefined);
    strictEqual(a.isAlive, false);
    a.name = "renamed";
    strictEqual(a.name, "renamed");
    throws(() => a.name = 5 as never, TypeError);
    a.daemon = true;
    strictEqual(a.daemon, true);
    throws(() => a.daemon = "yes" as never, TypeError);
    strictEqual(liveWorkers().size, 0);
    await Promise.resolve();
  },
);

boundedTest(
  "Thread: start runs the target in another thread, and join waits for it (Python's test_main_thread)",
  async () => {
    const into = new Value("i32", 0);
    const thread = new Thread({
      target: { module: TASKS, name: "storeIdent" },
      args: [into],
    });
    thread.start();
    const ident = thread.ident;
    strictEqual(typeof ident, "number"); // known right after start
    await joined(thread);
    strictEqual(into.value, ident);
    notStrictEqual(ident, getIdent());
    strictEqual(thread.isAlive, false);
    strictEqual(thread.ident, ident); // kept after the end
    strictEqual(await thread.join(), true); // joining again is fine
    strictEqual(thread.joinSync(), true);
  },
);

boundedTest(
  "Thread: isAlive is true while the target runs; join with a timeout returns false until it ends",
  async () => {
    const started = new Event();
    const gate = new Event();
    const thread = new Thread({ target: waitForGate, args: [started, gate] });
    thread.start();
    strictEqual(thread.isAlive, true);
    ok(await bounded(started.wait(), "the target starts"));
    strictEqual(thread.isAlive, true);
    strictEqual(await thread.join({ timeout: 50 }), false);
    strictEqual(thread.joinSync({ timeout: 0 }), false);
    strictEqual(thread.joinSync({ timeout: 20 }), false);
    strictEqual(thread.isAlive, true);
    gate.set();
    await joined(thread);
    strictEqual(thread.isAlive, false);
  },
);

boundedTest(
  "Thread: join with a signal rejects with its reason, and the thread goes on",
  async () => {
    const started = new Event();
    const gate = new Event();
    const thread = new Thread({ target: waitForGate, args: [started, gate] });
    thread.start();
    const controller = new AbortController();
    const joining = thread.join({ signal: controller.signal });
    const reason = new Error("stop waiting");
    controller.abort(reason);
    await rejects(joining, (error) => error === reason);
    await rejects(
      thread.join({ signal: AbortSignal.abort(reason) }),
      (error) => error === reason,
    );
    strictEqual(thread.isAlive, true);
    gate.set();
    await joined(thread);
  },
);

boundedTest("Thread: join options are checked", async () => {
  const thread = new Thread({ target: () => {} });
  thread.start();
  await rejects(thread.join({ timeout: -1 }), RangeError);
  await rejects(thread.join({ timeout: "1" as never }), TypeError);
  throws(() => thread.joinSync({ timeout: NaN }), RangeError);
  await joined(thread);
});

boundedTest(
  "Thread: many threads at once, no more than 3 inside a BoundedSemaphore(3) (Python's test_various_ops)",
  async () => {
    const sema = new BoundedSemaphore(3);
    const mutex = new RLock();
    const running = new Value("i32", 0, { lock: false });
    const most = new Value("i32", 0, { lock: false });
    const threads = Array.from({ length: 10 }, (_, i) =>
      new Thread({
        target: (
          s: BoundedSemaphore,
          m: RLock,
          n: Value<"i32">,
          top: Value<"i32">,
        ) => {
          s.acquireSync();
          m.acquireSync();
          n.value = n.value + 1;
          top.value = Math.max(top.value, n.value);
          m.release();
          const until = performance.now() + Math.random() * 5;
          while (performance.now() < until) {
            // A little work inside the semaphore.
          }
          m.acquireSync();
          n.value = n.value - 1;
          m.release();
          s.release();
        },
        args: [sema, mutex, running, most],
        name: `<thread ${i}>`,
      }));
    for (const thread of threads) {
      strictEqual(thread.ident, undefined);
      thread.start();
    }
    const idents = new Set([getIdent(), ...threads.map((t) => t.ident)]);
    strictEqual(idents.size, 11);
    for (const thread of threads) {
      await joined(thread);
      strictEqual(thread.isAlive, false);
      notStrictEqual(thread.ident, 0);
    }
    strictEqual(running.value, 0);
    ok(most.value >= 1 && most.value <= 3, `${most.value} ran at once`);
    strictEqual(sema.value, 3);
  },
);

boundedTest(
  "Thread: args arrive as they were given (Python's test_args_argument)",
  async () => {
    // Each case is source: the thread rebuilds the expected value from it and
    // compares it with what it received.
    const cases = [
      "[1]",
      '["str"]',
      "[[1]]",
      '[{ a: [1, { b: "c" }] }]',
      "[null, true, 2.5, -0, undefined]",
      '[new Map([[1, "one"]]), new Set([2]), new Date(0), 10n]',
      "[new Uint8Array([1, 2, 3]), /re/g]",
    ];
    for (const source of cases) {
      const args = new Function(`return ${source};`)() as unknown[];
      const same = new Value("i32", 0);
      const thread = new Thread({
        target: async (
          v: Value<"i32">,
          expected: string,
          ...got: unknown[]
        ) => {
          const { isDeepStrictEqual } = await import("node:util");
          const want = new Function(`return ${expected};`)();
          v.value = isDeepStrictEqual(got, want) ? 1 : 2;
        },
        args: [same, source, ...args],
      });
      thread.start();
      await joined(thread);
      strictEqual(same.value, 1, source);
    }
  },
);

// --------------------------------------------------------- state errors

boundedTest("Thread: starting twice throws InvalidStateError", async () => {
  const thread = new Thread({ target: () => {} });
  thread.start();
  throws(() => thread.start(), InvalidStateError);
  await joined(thread);
  throws(() => thread.start(), InvalidStateError);
});

boundedTest("Thread: join before start throws InvalidStateError", async () => {
  const thread = new Thread({ target: () => {} });
  await rejects(thread.join(), InvalidStateError);
  throws(() => thread.joinSync(), InvalidStateError);
  strictEqual(liveWorkers().size, 0);
});

boundedTest(
  "Thread: setting daemon after start throws InvalidStateError",
  async () => {
    const thread = new Thread({ target: () => {} });
    thread.daemon = true; // before start: fine
    thread.daemon = false;
    thread.start();
    throws(() => thread.daemon = true, InvalidStateError);
    strictEqual(thread.daemon, false);
    await joined(thread);
    throws(() => thread.daemon = true, InvalidStateError);
  },
);

boundedTest(
  "Thread: bad options are TypeErrors with the value quoted",
  async () => {
    const cases: [unknown, string][] = [
      [null, "null"],
      [5, "5"],
      [{ target: 42 }, "42"],
      [{ target: "fn" }, '"fn"'],
      [{ target: { module: "not a url", name: "x" } }, '"not a url"'],
      [{ target: { module: TASKS } }, "an object"],
      [{ target: Math.max }, "max"],
      [{ target: () => {}, args: 1 }, "1"],
      [{ target: () => {}, name: 5 }, "5"],
      [{ target: () => {}, daemon: "yes" }, '"yes"'],
    ];
    for (const [options, quoted] of cases) {
      throws(
        () => new Thread(options as never),
        (error) =>
          error instanceof TypeError &&
          error.message.startsWith("Cannot create Thread") &&
          error.message.includes(quoted),
        `${String(options)} should throw a TypeError naming ${quoted}`,
      );
    }
    strictEqual(liveWorkers().size, 0);
    await Promise.resolve();
  },
);

boundedTest(
  "Thread: an argument that cannot be sent is a TypeError at start, and nothing starts",
  async () => {
    for (const bad of [() => 1, Symbol("s"), { f: () => 1 }]) {
      const thread = new Thread({ target: (_: unknown) => {}, args: [bad] });
      throws(() => thread.start(), TypeError);
      strictEqual(thread.isAlive, false);
      strictEqual(thread.ident, undefined);
      strictEqual(liveWorkers().size, 0);
    }
    await Promise.resolve();
  },
);

// ------------------------------------------------------- how targets end

boundedTest(
  "Thread: a target that throws ends the thread, join returns true, and stderr names the thread",
  async () => {
    const { code, stdout, stderr } = await runProgram("thread-throws");
    strictEqual(code, 0, stderr);
    strictEqual(stdout.trim(), "true false");
    ok(stderr.includes("Exception in thread Boomer"), stderr);
    ok(stderr.includes("boom from the target"), stderr);
  },
);

boundedTest(
  "Thread: a module target that is missing is reported the same way",
  async () => {
    const { code, stdout, stderr } = await runProgram("thread-missing-export");
    strictEqual(code, 0, stderr);
    strictEqual(stdout.trim(), "true false");
    ok(stderr.includes("Exception in thread Missing"), stderr);
    ok(stderr.includes("noSuchExport"), stderr);
  },
);

boundedTest(
  "Thread: a thread that runs out of memory ends alone, and join returns",
  async () => {
    const thread = new Thread({
      target: { module: TASKS, name: "exhaustMemory" },
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    thread.start();
    strictEqual(await thread.join(), true);
    strictEqual(thread.isAlive, false);
  },
);

boundedTest(
  "Thread: Deno.exit in the target ends the thread: joinSync and join return",
  async () => {
    const thread = new Thread({
      target: (code: number) => {
        Deno.exit(code);
      },
      args: [5],
    });
    thread.start();
    strictEqual(thread.joinSync({ timeout: 10_000 }), true);
    await joined(thread);
    strictEqual(thread.isAlive, false);
    const module = new Thread({
      target: { module: TASKS.href, name: "crash" },
      args: [2],
    });
    module.start();
    strictEqual(module.joinSync({ timeout: 10_000 }), true);
    await joined(module);
  },
);

boundedTest(
  "Thread: globalThis.close() in the target ends the thread",
  async () => {
    const after = new Value("i32", 0);
    const thread = new Thread({
      target: async (v: Value<"i32">) => {
        (globalThis as unknown as { close(): void }).close();
        await new Promise((resolve) => setTimeout(resolve, 10));
        v.value = 1;
      },
      args: [after],
    });
    thread.start();
    await joined(thread);
    strictEqual(thread.isAlive, false);
    strictEqual(after.value, 0);
  },
);

boundedTest(
  "Thread: an async target is awaited, and a target that leaves timers behind still ends",
  async () => {
    const value = new Value("i32", 0);
    const awaited = new Thread({
      target: async (v: Value<"i32">) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        v.value = 7;
      },
      args: [value],
    });
    awaited.start();
    await joined(awaited);
    strictEqual(value.value, 7);
    const leaves = new Thread({
      target: () => {
        setInterval(() => {}, 1_000);
      },
    });
    leaves.start();
    await joined(leaves);
  },
);

boundedTest(
  "Thread: a module export is a target, by URL or by string",
  async () => {
    for (const module of [TASKS, TASKS.href]) {
      const into = new Value("i32", 0);
      const thread = new Thread({
        target: { module, name: "storeIdent" },
        args: [into],
      });
      thread.start();
      await joined(thread);
      strictEqual(into.value, thread.ident);
    }
  },
);

// ---------------------------------------------------------- primitives

boundedTest(
  "Thread: a counter under a Lock is exact across two threads",
  async () => {
    const lock = new Lock();
    const counter = new Value("i32", 0, { lock: false });
    const add = (l: Lock, v: Value<"i32">, times: number) => {
      for (let i = 0; i < times; i++) {
        l.acquireSync();
        v.value = v.value + 1;
        l.release();
      }
    };
    const threads = [1, 2].map(() =>
      new Thread({ target: add, args: [lock, counter, 20_000] })
    );
    for (const thread of threads) thread.start();
    for (const thread of threads) await joined(thread);
    strictEqual(counter.value, 40_000);
    strictEqual(lock.locked, false);
  },
);

boundedTest(
  "Thread: primitives as arguments arrive as working objects",
  async () => {
    const event = new Event();
    const value = new Value("f64", 0.5);
    const lock = new Lock();
    const rlock = new RLock();
    const held = new Value("i32", -1);
    lock.acquireSync();
    const thread = new Thread({
      target: (
        e: Event,
        v: Value<"f64">,
        l: Lock,
        r: RLock,
        out: Value<"i32">,
      ) => {
        v.value = v.value + 1;
        r.acquireSync();
        r.acquireSync();
        const count = r.count;
        r.release();
        r.release();
        const names = [e, v, l, r].map((x) => x.constructor.name).join();
        const ok = names === "Event,Value,Lock,RLock" && count === 2;
        out.value = (ok ? 10 : 20) + (l.tryAcquire() ? 1 : 0);
        e.set();
      },
      args: [event, value, lock, rlock, held],
    });
    thread.start();
    ok(await bounded(event.wait(), "the thread sets the event"));
    await joined(thread);
    strictEqual(value.value, 1.5);
    strictEqual(held.value, 10); // the right classes, and the Lock was ours
    lock.release();
  },
);

boundedTest(
  "Thread: a Queue as an argument arrives as a working Queue",
  async () => {
    const queue = new Queue<number>();
    const thread = new Thread({
      target: (q: Queue<number>) => {
        for (let i = 0; i < 100; i++) q.putSync(i);
      },
      args: [queue],
    });
    thread.start();
    for (let i = 0; i < 100; i++) {
      strictEqual(await bounded(queue.get(), "an item"), i);
    }
    await joined(thread);
  },
);

boundedTest(
  "Thread: a BoundedSemaphore acquired and released by threads (Python's test_BoundedSemaphore_limit)",
  async () => {
    for (let limit = 1; limit <= 3; limit++) {
      const bs = new BoundedSemaphore(limit);
      const acquirers = Array.from(
        { length: limit },
        () =>
          new Thread({
            target: (s: BoundedSemaphore) => s.acquireSync(),
            args: [bs],
          }),
      );
      for (const thread of acquirers) thread.start();
      for (const thread of acquirers) await joined(thread);
      strictEqual(bs.value, 0);
      const releasers = Array.from(
        { length: limit },
        () =>
          new Thread({
            target: (s: BoundedSemaphore) => s.release(),
            args: [bs],
          }),
      );
      for (const thread of releasers) thread.start();
      for (const thread of releasers) await joined(thread);
      strictEqual(bs.value, limit);
      throws(() => bs.release(), RangeError);
    }
  },
);

boundedTest(
  "Thread: a lock held by a thread that exits is abandoned: AbandonedLockError once, then it works",
  async () => {
    const lock = new Lock();
    const thread = new Thread({
      target: { module: TASKS, name: "holdLock" },
      args: [lock],
    });
    thread.start();
    await joined(thread);
    await rejects(lock.acquire(), AbandonedLockError);
    strictEqual(await lock.acquire({ timeout: 10_000 }), true);
    lock.release();

    const rlock = new RLock();
    const twice = new Thread({
      target: { module: TASKS, name: "holdLock" },
      args: [rlock, 2],
    });
    twice.start();
    await joined(twice);
    throws(() => rlock.acquireSync(), AbandonedLockError);
    strictEqual(rlock.acquireSync({ timeout: 10_000 }), true);
    strictEqual(rlock.count, 1);
    rlock.release();
  },
);

// ------------------------------------------------------ program endings

boundedTest(
  "Thread: a non-daemon thread keeps the program alive until it finishes (Python's test_join_nondaemon_on_shutdown)",
  async () => {
    const { code, stdout, stderr } = await runProgram("thread");
    strictEqual(code, 0, stderr);
    deepStrictEqual(stdout.trim().split("\n"), ["main done", "woke"]);
    strictEqual(stderr, "");
  },
);

boundedTest(
  "Thread: daemon threads do not keep the program alive",
  async () => {
    const { code, stdout, stderr } = await runProgram("daemon");
    strictEqual(code, 0, stderr);
    strictEqual(stdout.trim(), "main done");
    strictEqual(stderr, "");
  },
);

boundedTest("Thread: join checks its options in its own words", async () => {
  const thread = new Thread({ target: () => {} });
  thread.start();
  await rejects(thread.join("soon" as never), {
    name: "TypeError",
    message: `Cannot join Thread: 'options' must be an object, received "soon"`,
  });
  throws(() => thread.joinSync({ timeout: -1 }), {
    name: "RangeError",
    message: /^Cannot join Thread: 'timeout' must be a non-negative number/,
  });
  ok(await thread.join());
});

boundedTest(
  "Thread: a method-shorthand target runs; self and self.name are there",
  async () => {
    const seen = new Queue<string>();
    const targets = {
      report(seen: Queue<string>) {
        seen.putSync(`${typeof self}:${self === globalThis}:${self.name}`);
      },
    };
    const thread = new Thread({
      target: targets.report,
      args: [seen],
      name: "reporter",
    });
    thread.start();
    ok(await bounded(thread.join(), "the thread ends"));
    strictEqual(seen.getNowait(), "object:true:reporter");
    throws(
      () => new Thread({ target: targets.report.bind(targets) }),
      /a built-in or bound function/,
    );
  },
);

Deno.test("Thread: joining a daemon thread waits for it, though its worker does not hold the program open", async () => {
  for (let i = 0; i < 3; i++) {
    const thread = new Thread({ target: () => {}, daemon: true });
    thread.start();
    // Nothing else holds the event loop open here: without the join's own
    // hold, the test ends with "Promise resolution is still pending".
    strictEqual(await thread.join(), true);
    strictEqual(thread.isAlive, false);
  }
});
