// Preloaded by `deno task test`: fails any test that leaves a Worker alive.
// A Web Worker counts as alive from its construction until `terminate()`; a
// pool's or Thread's worker (`node:worker_threads`) until its `exit` event.

import { liveWorkers } from "../pools/_transport.ts";

const live = new Set<Worker>();
const NativeWorker = globalThis.Worker;

class TrackedWorker extends NativeWorker {
  constructor(...args: ConstructorParameters<typeof Worker>) {
    super(...args);
    live.add(this);
  }

  override terminate(): void {
    live.delete(this);
    super.terminate();
  }
}

globalThis.Worker = TrackedWorker;

Deno.test.afterEach(async () => {
  const threads = [...liveWorkers()];
  const count = live.size + threads.length;
  if (count === 0) return;
  for (const worker of live) worker.terminate();
  await Promise.all(threads.map((worker) => worker.terminate()));
  throw new Error(`${count} Worker(s) outlived the test that started them`);
});
