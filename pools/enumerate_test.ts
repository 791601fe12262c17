// Tests of enumerateThreads(), activeThreadCount() and mainThread() with
// real worker threads: Python's threading.enumerate(), active_count() and
// main_thread() (CPython's test_enumerate_after_join and
// test_main_thread, as far as they apply).

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { Event } from "../mod.ts";
import { Thread } from "./thread.ts";
import { Timer } from "./timer.ts";
import { currentThread } from "./current.ts";
import {
  activeThreadCount,
  enumerateThreads,
  mainThread,
} from "./enumerate.ts";
import { bounded, boundedTest } from "../testing/workers.ts";

const waitFor = (e: Event) => {
  e.waitSync();
};

Deno.test("mainThread(): named MainThread, alive, not a daemon, the current thread here", () => {
  const main = mainThread();
  strictEqual(main.name, "MainThread");
  strictEqual(main.isAlive, true);
  strictEqual(main.daemon, false);
  strictEqual(mainThread(), main);
  strictEqual(currentThread(), main);
  strictEqual(String(main), "MainThread");
});

boundedTest(
  "enumerateThreads(): a started thread is listed, a joined one is not",
  async () => {
    const go = new Event();
    const before = activeThreadCount();
    const threads = [1, 2].map((i) =>
      new Thread({ target: waitFor, args: [go], name: `w${i}` })
    );
    const notStarted = new Thread({ target: waitFor, args: [go] });
    for (const thread of threads) thread.start();
    try {
      deepStrictEqual(enumerateThreads(), [mainThread(), ...threads]);
      strictEqual(activeThreadCount(), before + 2);
      ok(!enumerateThreads().includes(notStarted));
    } finally {
      go.set();
    }
    for (const thread of threads) {
      strictEqual(await bounded(thread.join(), "the thread ends"), true);
      ok(!enumerateThreads().includes(thread));
    }
    deepStrictEqual(enumerateThreads(), [mainThread()]);
    strictEqual(activeThreadCount(), 1);
  },
);

boundedTest(
  "enumerateThreads(): a thread that finished but was not joined is not listed",
  async () => {
    const thread = new Thread({ target: () => {} });
    thread.start();
    // joinSync sees the target finish; the worker may still be ending.
    strictEqual(thread.joinSync({ timeout: 20_000 }), true);
    deepStrictEqual(enumerateThreads(), [mainThread()]);
    await bounded(thread.join(), "the thread ends");
  },
);

boundedTest(
  "enumerateThreads(): a waiting Timer is listed, and each live thread but the main one can be joined",
  async () => {
    const timer = new Timer(60_000, () => {});
    const go = new Event();
    const daemon = new Thread({ target: waitFor, args: [go], daemon: true });
    timer.start();
    daemon.start();
    deepStrictEqual(enumerateThreads(), [mainThread(), timer, daemon]);
    timer.cancel();
    go.set();
    // Python's live_thread.py: join every live thread but the current one.
    for (const thread of enumerateThreads()) {
      if (thread === currentThread()) continue;
      strictEqual(
        await bounded((thread as Thread).join(), `${thread.name} ends`),
        true,
      );
    }
    strictEqual(activeThreadCount(), 1);
  },
);

boundedTest(
  "enumerateThreads() in a Worker lists the Threads that Worker started",
  async () => {
    const listed = new Thread({
      target: async (module: string) => {
        const p = await import(module);
        const go = new p.Event();
        const inner = new p.Thread({
          target: (e: { waitSync(): boolean }) => e.waitSync(),
          args: [go],
          name: "inner",
        });
        inner.start();
        const names = p.enumerateThreads().map((t: { name: string }) => t.name);
        go.set();
        await inner.join();
        if (names.join() !== "MainThread,inner") throw new Error(names.join());
        if (p.activeThreadCount() !== 1) throw new Error("still counted");
      },
      args: [new URL("../mod.ts", import.meta.url).href],
    });
    listed.start();
    strictEqual(await bounded(listed.join(), "the thread ends"), true);
  },
);
