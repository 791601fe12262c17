// The Web Worker of main.ts, which shares its Lock.
import { Lock } from "@parallel/parallel";
self.onmessage = (event) => {
  const lock = Lock.from(event.data);
  const got = lock.acquireSync({ timeout: 10_000 });
  lock.release();
  self.postMessage(got);
};
