// After CPython's Lib/test/test_asyncio/test_taskgroups.py: results, tasks
// started by tasks, the first failure cancelling the siblings, every
// failure reported (and no cancellation), the group waiting for slow
// cancellations, no task after the end, and an outer cancellation. Python's
// CancelledError is an AbortSignal here.
import {
  deepStrictEqual,
  ok,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { TaskGroup } from "./task_group.ts";

/** Sleeps `ms`, or rejects with the signal's reason once it aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Checks an AggregateError and returns its errors' messages. */
function messagesOf(error: unknown): string[] {
  ok(error instanceof AggregateError, `not an AggregateError: ${error}`);
  return error.errors.map((e: Error) => e.message);
}

Deno.test("async TaskGroup: the group waits for every task and their values come back", async () => {
  // test_taskgroup_01.
  let t1: Promise<number>;
  let t2: Promise<number>;
  {
    await using tg = new TaskGroup();
    t1 = tg.start(async (signal) => {
      await sleep(5, signal);
      return 42;
    });
    t2 = tg.start(async (signal) => {
      await sleep(1, signal);
      return 11;
    });
  }
  deepStrictEqual(await Promise.all([t1, t2]), [42, 11]);
});

Deno.test("async TaskGroup: tasks started by tasks, while the group waits, are waited for too", async () => {
  // test_taskgroup_02, test_taskgroup_03.
  const done: string[] = [];
  {
    await using tg = new TaskGroup();
    tg.start(async (signal) => {
      await sleep(2, signal);
      tg.start(async (signal) => {
        await sleep(5, signal);
        done.push("grandchild");
      });
      done.push("child");
    });
  }
  deepStrictEqual(done, ["child", "grandchild"]);
});

Deno.test("async TaskGroup: the first failure aborts the siblings and the group rejects with it alone", async () => {
  // test_taskgroup_05 / _cancel_children_on_child_error: the siblings' own
  // rejections (the abort they were given) are not failures.
  const aborted: unknown[] = [];
  let group: TaskGroup | undefined;
  const error = await (async () => {
    await using tg = new TaskGroup();
    group = tg;
    for (let i = 0; i < 3; i++) {
      tg.start(async (signal) => {
        try {
          await sleep(60_000, signal);
        } catch (reason) {
          aborted.push(reason);
          throw reason;
        }
      });
    }
    tg.start(async (signal) => {
      await sleep(1, signal);
      throw new RangeError("boom");
    });
  })().then(() => undefined, (error) => error);
  deepStrictEqual(messagesOf(error), ["boom"]);
  strictEqual(error.message, "1 task of the TaskGroup failed");
  strictEqual(aborted.length, 3);
  const reason = group!.signal.reason;
  ok(reason instanceof DOMException && reason.name === "AbortError");
  for (const r of aborted) strictEqual(r, reason);
});

Deno.test("async TaskGroup: every failure is reported, in the order they happened", async () => {
  // test_taskgroup_06, test_taskgroup_07: two tasks fail before either sees
  // the abort; a third fails on its own while it stops.
  const error = await (async () => {
    await using tg = new TaskGroup();
    tg.start(() => {
      throw new Error("sync failure"); // a task may fail synchronously
    });
    tg.start(() => Promise.reject(new Error("second")));
    tg.start(async (signal) => {
      await sleep(60_000, signal).catch(() => {});
      throw new Error("failed while stopping");
    });
  })().then(() => undefined, (error) => error);
  deepStrictEqual(messagesOf(error), [
    "sync failure",
    "second",
    "failed while stopping",
  ]);
});

Deno.test("async TaskGroup: the group settles only after every aborted task has ended", async () => {
  // test_taskgroup_08: a sibling that takes time to stop is waited for.
  const log: string[] = [];
  await rejects(
    async () => {
      await using tg = new TaskGroup();
      tg.start(async (signal) => {
        await sleep(60_000, signal).catch(() => {});
        await sleep(10); // cleans up for a while, ignoring the signal
        log.push("cleaned up");
      });
      tg.start(() => Promise.reject(new Error("boom")));
    },
    AggregateError,
  );
  deepStrictEqual(log, ["cleaned up"]);
});

Deno.test("async TaskGroup: a rejection with an AbortError DOMException after the abort is not a failure", async () => {
  const error = await (async () => {
    await using tg = new TaskGroup();
    tg.start(async (signal) => {
      await sleep(60_000, signal).catch(() => {});
      throw new DOMException("stopped", "AbortError");
    });
    tg.start(() => Promise.reject(new Error("boom")));
  })().then(() => undefined, (error) => error);
  deepStrictEqual(messagesOf(error), ["boom"]);
});

Deno.test("async TaskGroup: a task started while the group aborts gets an aborted signal", async () => {
  let seen: boolean | undefined;
  await rejects(async () => {
    await using tg = new TaskGroup();
    tg.start(() => {
      throw new Error("boom");
    });
    await null;
    tg.start((signal) => {
      seen = signal.aborted;
      signal.throwIfAborted();
    });
  }, AggregateError);
  strictEqual(seen, true);
});

Deno.test("async TaskGroup: no task can be started once the group has finished", async () => {
  // test_taskgroup_21 (create_task on a finished group).
  const tg = new TaskGroup();
  tg.start(async () => {});
  await tg[Symbol.asyncDispose]();
  strictEqual(await tg[Symbol.asyncDispose](), undefined);
  throws(() => tg.start(async () => {}), {
    name: "Error",
    message: "Cannot start a task in TaskGroup: it has finished",
  });
  // @ts-expect-error: not a function
  throws(() => new TaskGroup().start(42), {
    name: "TypeError",
    message:
      "Cannot start a task in TaskGroup: 'task' must be a function, received 42",
  });
});

Deno.test("async TaskGroup: abort() stops the tasks, and the group resolves", async () => {
  const reasons: unknown[] = [];
  const custom = new Error("enough");
  {
    await using tg = new TaskGroup();
    for (let i = 0; i < 2; i++) {
      tg.start((signal) => sleep(60_000, signal).catch((r) => reasons.push(r)));
      tg.start((signal) => sleep(60_000, signal)); // rejects with the reason
    }
    tg.abort(custom);
  }
  deepStrictEqual(reasons, [custom, custom]);
});

Deno.test("async TaskGroup: the block's own error goes on once the tasks end; abort() stops them", async () => {
  // test_taskgroup_14-ish: the group cannot see the block's error, so the
  // block aborts it in a catch.
  let stopped = false;
  await rejects(async () => {
    await using tg = new TaskGroup();
    try {
      tg.start(async (signal) => {
        await sleep(60_000, signal).catch(() => stopped = true);
      });
      throw new Error("the block failed");
    } catch (error) {
      tg.abort();
      throw error;
    }
  }, { message: "the block failed" });
  strictEqual(stopped, true);
});

Deno.test("async TaskGroup: an outer signal aborts the tasks and the group rejects with its reason", async () => {
  // test_taskgroup_cancel_*: the outer task cancelled.
  const outer = new AbortController();
  const reason = new Error("outer cancel");
  let seen: unknown;
  const group = (async () => {
    await using tg = new TaskGroup({ signal: outer.signal });
    tg.start((signal) =>
      sleep(60_000, signal).catch((r) => {
        seen = r;
        throw r;
      })
    );
  })();
  await sleep(1);
  outer.abort(reason);
  await rejects(group, reason);
  strictEqual(seen, reason);

  // Already aborted: the tasks start with an aborted signal.
  await rejects(async () => {
    await using tg = new TaskGroup({ signal: AbortSignal.abort(reason) });
    strictEqual(tg.signal.aborted, true);
    tg.start((signal) => sleep(60_000, signal));
  }, reason);

  // A real failure wins over the outer abort.
  const other = new AbortController();
  const error = await (async () => {
    await using tg = new TaskGroup({ signal: other.signal });
    tg.start(async (signal) => {
      await sleep(60_000, signal).catch(() => {});
      throw new Error("failed while stopping");
    });
    other.abort(reason);
  })().then(() => undefined, (error) => error);
  deepStrictEqual(messagesOf(error), ["failed while stopping"]);

  // @ts-expect-error: not a signal
  throws(() => new TaskGroup({ signal: "no" }), TypeError);
});

Deno.test("async TaskGroup: a task's own promise may be left unhandled", async () => {
  await rejects(async () => {
    await using tg = new TaskGroup();
    tg.start(() => Promise.reject(new Error("reported by the group only")));
  }, AggregateError);
});

Deno.test("TaskGroup: options must be an object", () => {
  throws(() => new TaskGroup("5" as never), {
    name: "TypeError",
    message:
      `Cannot create TaskGroup: 'options' must be an object, received "5"`,
  });
});
