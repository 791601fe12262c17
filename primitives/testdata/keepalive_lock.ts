// Run by lock_test.ts as its own program. Atomics.waitAsync alone does not
// keep Deno's event loop alive (Deno issue 15358), so a program whose only
// pending work is `await lock.acquire()` could stop early with "Top-level
// await promise never resolved". Two cases, each the program's only work:
// 1. a Worker (this same file) holds the lock, releases it later and closes
//    itself: the acquire must succeed;
// 2. the lock is held by this thread: `acquire({ timeout })` must time out
//    and return false.
// The program must print the expected lines and exit 0.

import { Lock } from "../lock.ts";

// deno-lint-ignore no-explicit-any
const WorkerScope = (globalThis as any).WorkerGlobalScope;

if (typeof WorkerScope === "function" && globalThis instanceof WorkerScope) {
  const scope = globalThis as unknown as {
    onmessage: (event: MessageEvent) => void;
    postMessage(message: unknown): void;
    close(): void;
  };
  scope.onmessage = ({ data }) => {
    const lock = Lock.from(data);
    lock.acquireSync();
    scope.postMessage("held");
    setTimeout(() => {
      lock.release();
      scope.close();
    }, 200);
  };
} else {
  const lock = new Lock();
  const worker = new Worker(import.meta.url, { type: "module" });
  const held = new Promise((resolve) => {
    worker.onmessage = resolve;
  });
  worker.postMessage(lock.handle);
  await held;
  worker.onmessage = null;
  console.log(`locked: ${lock.locked}`);
  const acquired = await lock.acquire();
  console.log(`acquired: ${acquired}`);
  console.log(`timed out: ${!await lock.acquire({ timeout: 50 })}`);
  lock.release();
  console.log(`locked: ${lock.locked}`);
}
