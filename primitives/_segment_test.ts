// Tests of memory that processes share, as `deno task test:ffi` runs them
// (with --allow-ffi): segments go back to the system once their primitives
// are collected, and not before, while a handle may still open them.

import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { Queue, SharedArray } from "./mod.ts";
import { memoryBuffer, memoryLength, sharesWithProcesses } from "./_memory.ts";

const gc = (globalThis as { gc?: () => void }).gc!;
const ignore = !sharesWithProcesses();

async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Lines of what `command` prints (reading /proc here needs --allow-all). */
function linesOf(command: string, ...args: string[]): number {
  const { stdout } = new Deno.Command(command, { args }).outputSync();
  return new TextDecoder().decode(stdout).split("\n").length;
}
const descriptors = () => linesOf("ls", `/proc/${Deno.pid}/fd`);
const mappings = () => linesOf("cat", `/proc/${Deno.pid}/maps`);

Deno.test({
  name:
    "segments: 2,000 queues and 200 arrays made and dropped give their descriptors and mappings back once collected",
  ignore,
  async fn() {
    new Queue().putNowait(0); // the heap and libc exist
    // Orphans of earlier tests are closed a few each time a segment is
    // made: 3,000 made (and kept) let every one whose owner is gone go
    // first, so that none closes during the count.
    await collect();
    const kept = Array.from({ length: 3000 }, () => new Queue());
    const [fds, maps] = [descriptors(), mappings()];
    for (let i = 0; i < 2000; i++) new Queue<number>().putNowait(i);
    for (let i = 0; i < 200; i++) new SharedArray("f64", 1000);
    ok(descriptors() >= fds + 2200, "each holds one until collected");
    kept.length = 0;
    await collect();
    // Orphans whose owners were freed after their buffers were collected
    // are closed a few at a time, as segments are made.
    for (let i = 0; i < 2000; i++) new Queue();
    await collect();
    for (let i = 0; i < 10; i++) new Queue();
    ok(descriptors() < fds + 100, `${descriptors() - fds} descriptors kept`);
    ok(mappings() < maps + 200, `${mappings() - maps} mappings kept`);
  },
});

Deno.test({
  name:
    "segments: a queue's handle opens it after its object was collected, while the handle pins it",
  ignore,
  async fn() {
    const handle = (() => {
      const queue = new Queue<string>();
      queue.putNowait("kept");
      return queue.handle; // pinned until opened
    })();
    await collect();
    for (let i = 0; i < 100; i++) new Queue(); // sweeps run
    const queue = Queue.from<string>(handle);
    strictEqual(queue.getNowait(), "kept");
  },
});

Deno.test({
  name: "segments: a store seen through a window follows what it has grown to",
  ignore,
  fn() {
    const queue = new Queue<Uint8Array>();
    const item = new Uint8Array(3 * 1024 * 1024).map((_, i) => i & 255);
    queue.putNowait(item);
    queue.putNowait(item);
    const copy = Queue.from<Uint8Array>(queue.handle);
    deepStrictEqual(copy.getNowait(), item);
    deepStrictEqual(queue.getNowait(), item);
  },
});

Deno.test({
  name: "segments: windows cover the logical length, and growth past it",
  ignore,
  async fn() {
    const { newMemories, growMemory } = await import("./_memory.ts");
    const [first] = newMemories([[64, 1024 * 1024]]);
    strictEqual(first!.byteLength, 64);
    growMemory(first!, 5000);
    strictEqual(memoryLength(first!), 5000);
    const window = memoryBuffer(first!);
    ok(window.byteLength >= 5000);
    strictEqual(memoryLength(window), 5000);
    new Uint8Array(window)[4999] = 7;
    strictEqual(new Uint8Array(memoryBuffer(first!))[4999], 7);
    throws(() => growMemory(first!, 4000), RangeError);
    throws(() => growMemory(first!, 2 * 1024 * 1024), RangeError);
  },
});

Deno.test({
  name:
    "segments: a thread that keeps 8,192 descriptors for uncollected primitives is refused a new one with a RangeError, and not once they are collected",
  ignore,
  async fn() {
    await collect();
    let made = 0;
    throws(() => {
      for (; made <= 8192; made++) new Queue();
    }, {
      name: "RangeError",
      message:
        /keeps 8192 descriptors open for primitives that are not collected yet/,
    });
    ok(made > 8000, `refused after ${made}`);
    await collect();
    for (let i = 0; i < 100; i++) new Queue();
  },
});
