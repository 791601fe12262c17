// Preloaded by `deno task test`: fails any test that leaves a Worker or a
// child process alive. A child process counts as alive from its start until
// its pool has seen it exit. A Web Worker counts as alive from its construction until `terminate()`; a
// pool's or Thread's worker (`node:worker_threads`) until its `exit` event.

import { liveWorkers } from "../pools/_transport.ts";
import { liveProcesses } from "../pools/_children.ts";

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
  const processes = [...liveProcesses()];
  for (const child of processes) child.kill("SIGKILL");
  if (processes.length > 0) {
    throw new Error(
      `${processes.length} process(es) outlived the test that started them`,
    );
  }
  const threads = [...liveWorkers()];
  const count = live.size + threads.length;
  if (count === 0) return;
  for (const worker of live) worker.terminate();
  await Promise.all(threads.map((worker) => worker.terminate()));
  throw new Error(`${count} Worker(s) outlived the test that started them`);
});
