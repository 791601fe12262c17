// Tests of memory that comes back: a primitive's block is freed once no
// thread, no other primitive, no queued item and no handle in flight refers
// to it, and a handle of a freed primitive is refused. The loops run in a
// Worker of their own, whose heap is its own (it receives no handle), so
// that their measure is not disturbed by other tests.

import { ok, strictEqual, throws } from "node:assert/strict";
import { Condition, Lock, Queue } from "./mod.ts";
import { Thread } from "../pools/thread.ts";
import { startWorkers } from "../testing/workers.ts";

const gc = (globalThis as { gc?: () => void }).gc!;

/** Lets the collector and the finalizers run (a few macrotasks). */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Makes a primitive, keeps only its handle, and lets the object go. */
function handleOnly<T extends { handle: unknown }>(make: () => T): T["handle"] {
  return make().handle;
}

/**
 * Makes `count` primitives of `kind` in a fresh Worker, dropping each, and
 * returns how many bytes of that Worker's heap they took in all.
 */
async function heapGrowth(kind: string, count: number): Promise<number> {
  await using workers = startWorkers(1);
  return await workers[0]!.run(
    async (p, kind: string, count: number) => {
      const { heapTop } = await import("../primitives/_heap.ts");
      const gc = (globalThis as { gc?: () => void }).gc!;
      const Kind = (p as unknown as Record<string, new () => unknown>)[kind]!;
      new Kind(); // the heap exists
      const before = heapTop();
      for (let i = 0; i < count; i++) {
        new Kind();
        // A program that makes primitives all along also gives its event
        // loop (where finalizers run) and its collector a turn.
        if (i % 10_000 === 9_999) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (i % 100_000 === 99_999) gc();
        }
      }
      return heapTop() - before;
    },
    kind,
    count,
  );
}

Deno.test("memory: 10 million Locks made and dropped fit in a bounded heap (they took 160 MB before)", async () => {
  const grown = await heapGrowth("Lock", 10_000_000);
  ok(grown < 32 * 1024 * 1024, `the heap grew by ${grown} bytes`);
});

Deno.test("memory: 1 million Conditions made and dropped fit in a bounded heap (they would need 1 GB, more than the heap holds)", async () => {
  const grown = await heapGrowth("Condition", 1_000_000);
  ok(grown < 256 * 1024 * 1024, `the heap grew by ${grown} bytes`);
});

Deno.test("memory: 100,000 Queues made and dropped fit in a bounded heap (they would need 320 MB)", async () => {
  const grown = await heapGrowth("Queue", 100_000);
  ok(grown < 128 * 1024 * 1024, `the heap grew by ${grown} bytes`);
});

Deno.test("memory: a handle of a freed primitive is refused, and never opens the one that reuses its memory", async () => {
  const handle = handleOnly(() => new Lock());
  Lock.from(handle); // takes the pin; the object goes at once
  await collect();
  throws(() => Lock.from(handle), {
    name: "TypeError",
    message: /the Lock it names was freed/,
  });
  // Its memory is handed out again (a block of the same size, from the free
  // list), with another generation.
  const next = new Lock();
  const reused = next.handle;
  Lock.from(reused); // take the pin back
  if (reused.byteOffset === handle.byteOffset) {
    ok(reused.generation > handle.generation);
  }
  throws(() => Lock.from(handle), /was freed/);
  next.acquireSync();
  strictEqual(next.locked, true);
  next.release();
});

Deno.test("memory: a handle given out keeps its primitive until it is opened", async () => {
  const handle = handleOnly(() => {
    const lock = new Lock();
    lock.acquireSync();
    return lock;
  });
  await collect();
  const lock = Lock.from(handle);
  strictEqual(lock.locked, true);
  lock.release();
});

Deno.test("memory: a Condition keeps its lock, and a queued item its primitives", async () => {
  const condition = handleOnly(() => new Condition());
  const queue = new Queue<Lock>();
  const lock = new Lock();
  lock.acquireSync();
  queue.putNowait(lock);
  const lockHandle = lock.handle;
  Lock.from(lockHandle);
  // Only the queue refers to the lock now.
  await collect();
  const opened = Condition.from(condition);
  strictEqual(opened.tryAcquire(), true);
  opened.release();
  const arrived = queue.getNowait();
  strictEqual(arrived.locked, true);
  arrived.release();
});

Deno.test("memory: a queue dropped with items in it lets go of their primitives", async () => {
  const handle = handleOnly(() => {
    const lock = new Lock();
    new Queue<Lock>().putNowait(lock);
    return lock;
  });
  Lock.from(handle); // its pin taken: only the dropped queue's item is left
  await collect();
  throws(() => Lock.from(handle), /was freed/);
});

Deno.test("memory: a thread that ends lets go of what it opened", async () => {
  const handle = await (async () => {
    const lock = new Lock();
    const thread = new Thread({
      target: (lock: Lock) => {
        lock.acquireSync();
        lock.release();
      },
      args: [lock],
    });
    thread.start();
    ok(await thread.join());
    const handle = lock.handle;
    Lock.from(handle); // its pin taken
    return handle;
  })();
  // The thread's objects were never collected (it ended first): it let go
  // of them as it ended, so the lock goes with this thread's.
  await collect();
  throws(() => Lock.from(handle), /was freed/);
});
