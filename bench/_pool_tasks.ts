// The tasks of the pool benchmark (bench/pool_bench.ts), one module for
// every contender: ThreadPool and piscina import it by URL and call its
// exports by name, poolifier-web-worker's worker registers them
// (_pool_poolifier_worker.ts), the raw Workers call them on each message
// (_pool_raw_web_worker.ts, _pool_raw_node_worker.ts), and the sequential
// cases call them on the main thread. Every task takes one argument, since
// piscina and poolifier pass a task exactly one.

/** The tiny task: returns its argument. */
export function noop(x: number): number {
  return x;
}

/**
 * A fixed amount of CPU work: `iterations` rounds of a xorshift generator.
 * The bench calibrates how many rounds take a given time on the main
 * thread. Unlike a loop that spins until the clock says so, a fixed amount
 * of work takes longer when its thread has to share a core, so a speed-up
 * cannot be faked by a thread that was not running.
 */
export function work(iterations: number): number {
  let x = 0x2545f491;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x;
}

/** The names of the tasks, for the Workers that dispatch by name. */
export const tasks: Record<string, (arg: number) => number> = { noop, work };
