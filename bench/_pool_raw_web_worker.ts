// The raw Web Worker of the pool benchmark: each message `[id, name, arg]`
// runs the named task and is answered with `[id, result]`. No pool, no
// queue, no error handling: the floor that a pool on postMessage builds on.

import { tasks } from "./_pool_tasks.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<[number, string, number]>) => void) | null;
  postMessage(message: [number, number]): void;
};
scope.onmessage = ({ data: [id, name, arg] }) => {
  scope.postMessage([id, tasks[name]!(arg)]);
};
