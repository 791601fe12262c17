// Preloaded by `deno task test`: fails any test that leaves a Worker alive.
// A Worker counts as alive from its construction until `terminate()`.

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

Deno.test.afterEach(() => {
  if (live.size === 0) return;
  const count = live.size;
  for (const worker of live) worker.terminate();
  throw new Error(`${count} Worker(s) outlived the test that started them`);
});
