// Tests of the shared heap's allocator, in a Worker of their own: each
// Worker that receives no handle makes its own heap, so filling one does
// not starve the other tests.

import { ok, strictEqual } from "node:assert/strict";
import { startWorkers } from "../testing/workers.ts";

Deno.test("heap: a full heap refuses allocations without handing out memory that live primitives use", async () => {
  await using workers = startWorkers(1);
  const outcome = await workers[0]!.run((p) => {
    const ranges: [number, number][] = [];
    const note = (handle: { byteOffset: number; length: number }) =>
      ranges.push([handle.byteOffset, handle.byteOffset + 4 * handle.length]);
    const lock = new p.Lock();
    note(lock.handle);
    const big = { maxWaiters: 0x100000 }; // about 8 MiB each
    let failures = 0;
    // Fill it, then fail far more often than it takes to wrap a 32-bit top.
    while (failures < 600) {
      try {
        note(new p.Condition(lock, big).handle);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        failures++;
      }
    }
    // Whatever still fits is taken from what is really free.
    let small = 0;
    for (;;) {
      try {
        note(new p.Event().handle);
        small++;
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        break;
      }
    }
    ranges.sort((a, b) => a[0] - b[0]);
    let overlaps = 0;
    for (let i = 1; i < ranges.length; i++) {
      if (ranges[i]![0] < ranges[i - 1]![1]) overlaps++;
    }
    return { overlaps, allocations: ranges.length, small };
  });
  strictEqual(outcome.overlaps, 0);
  ok(outcome.allocations > 100, `only ${outcome.allocations} allocations`);
});
