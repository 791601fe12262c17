// A Worker of the lock_thread demo: adds 1 to the shared counter
// `increments` times, holding the lock around each add if it has one.
import { Lock } from "../mod.ts";
import type { Handle } from "../mod.ts";

interface Job {
  counter: Int32Array;
  increments: number;
  lock?: Handle;
}

self.onmessage = ({ data }: MessageEvent<Job>) => {
  const { counter, increments } = data;
  const lock = data.lock ? Lock.from(data.lock) : undefined;
  for (let i = 0; i < increments; i++) {
    if (lock) {
      using _ = lock.holdSync();
      counter[0] = counter[0]! + 1;
    } else {
      counter[0] = counter[0]! + 1;
    }
  }
  self.postMessage("done");
};
