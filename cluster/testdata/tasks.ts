// Tasks for the ClusterPool tests, run by cluster workers.

export function double(n: number): number {
  return n * 2 + 1;
}

export function add(a: number, b: number): number {
  return a + b;
}

export async function sleep(ms: number): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return `slept ${ms}`;
}

/** Sleeps, then answers with the worker process's id. */
export async function sleepThenPid(ms: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return Deno.pid;
}

export function fail(message: string): never {
  throw new RangeError(message);
}

/** Ends the process (or thread) that runs it: its worker dies under it. */
export function crash(): never {
  Deno.exit(7);
}

/** A result as large as asked. */
export function bytes(n: number): Uint8Array {
  return new Uint8Array(n);
}

export function echo<T>(value: T): T {
  return value;
}

/** Busy for `ms` milliseconds of CPU. */
export function spin(ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) n++;
  return n;
}
