// Which groups of a bench run: all of them, unless BENCH_GROUPS says
// (comma-separated parts of group names), so that the report
// (bench/report.ts) can run only the groups it draws.

function groupsWanted(): string[] | undefined {
  const variable = "BENCH_GROUPS";
  const { state } = Deno.permissions.querySync({ name: "env", variable });
  const value = state === "granted" ? Deno.env.get(variable) : undefined;
  return value ? value.split(",").map((part) => part.trim()) : undefined;
}

const wanted = groupsWanted();

/** Whether the group `group` runs: its name contains a wanted part. */
export function selected(group: string | undefined): boolean {
  return wanted === undefined ||
    wanted.some((part) => group?.includes(part) ?? false);
}

/** What a case is given, but its function. */
export type BenchOptions = Omit<Deno.BenchDefinition, "fn" | "name">;

/** Deno.bench, its case ignored unless its group is selected. */
export function bench(
  name: string,
  options: BenchOptions,
  fn: (b: Deno.BenchContext) => void | Promise<void>,
): void {
  Deno.bench(name, {
    ...options,
    ignore: (options.ignore ?? false) || !selected(options.group),
  }, fn);
}
