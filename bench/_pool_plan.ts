// What the pool benchmark measures (bench/pool_bench.ts), shared with its
// reporter (bench/_pool_report.ts), which turns times into tasks/s, µs per
// round trip and speed-ups.

/** Workers of every pool, in every group. */
export const WORKERS = 2;

/** Tiny tasks per iteration of the throughput group. */
export const TINY_N = 20_000;

/** Round trips per iteration of the latency group. */
export const ROUNDS = 1_000;

/** The CPU-bound task sizes (ms of work on the main thread), big to small. */
export const SIZES = [5, 1, 0.2, 0.05, 0.01, 0.002] as const;

/**
 * Tasks per iteration of a CPU-bound group: 40, or enough for 40 ms of
 * work in all, so that a small size measures a stream of tasks rather than
 * the start and end of one short burst.
 */
export function countFor(size: number): number {
  return Math.max(40, Math.round(40 / size));
}

export const TINY_GROUP = `tiny tasks (noop, ${
  TINY_N.toLocaleString("en")
} at once, ${WORKERS} workers)`;

export const LATENCY_GROUP = `sequential latency (noop, ${
  ROUNDS.toLocaleString("en")
} round trips, one at a time)`;

/** The group of a CPU-bound task size. */
export function cpuGroup(size: number): string {
  return `CPU-bound ${size} ms task x ${
    countFor(size).toLocaleString("en")
  } on ${WORKERS} workers`;
}

/** The size of a CPU-bound group, or undefined for another group. */
export function sizeOfGroup(group: string): number | undefined {
  const match = /^CPU-bound ([\d.]+) ms task/.exec(group);
  return match === null ? undefined : Number(match[1]);
}

/** The baseline of the CPU-bound groups. */
export const SEQUENTIAL = "sequential, main thread";
