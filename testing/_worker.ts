/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
// The entry of the test Workers: runs functions sent as source, with every
// primitive handle among the arguments rebuilt as the working object.

import * as parallel from "../mod.ts";
import { isHandle, revive } from "../primitives/_handle.ts";

interface Call {
  id: number;
  source: string;
  args: unknown[];
}

self.onmessage = async ({ data: { id, source, args } }: MessageEvent<Call>) => {
  try {
    const fn = new Function(`return (${source});`)();
    const revived = args.map((arg) => isHandle(arg) ? revive(arg) : arg);
    const result = await fn(parallel, ...revived);
    self.postMessage({ id, ok: true, result });
  } catch (error) {
    const { name, message, stack } = error as Error;
    self.postMessage({ id, ok: false, error: { name, message, stack } });
  }
};
