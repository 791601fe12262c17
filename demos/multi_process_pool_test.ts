import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { runScript } from "../pools/testdata/run_program.ts";

Deno.test("demo multi_process_pool: each blocking apply's task ends before the next starts, 10 rounds of 100 100", async () => {
  const { code, stdout, stderr } = await runScript(
    new URL("./multi_process_pool.ts", import.meta.url),
    [],
    ["--allow-read", "--allow-run"],
  );
  strictEqual(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  strictEqual(lines.length, 10 * 8 + 1, stdout);
  for (let round = 0; round < 10; round++) {
    const own = lines.slice(round * 8, round * 8 + 8);
    // A pool process's name, as currentProcess() says it in the task.
    const names = [own[0], own[2], own[3], own[5]].map((line) =>
      /^(ProcessPool-\d+_\d+) >> /.exec(line!)?.[1]
    );
    for (const name of names) match(name ?? "", /^ProcessPool-\d+_\d+$/);
    // Each task starts and ends in one process.
    strictEqual(names[1], names[0]);
    strictEqual(names[3], names[2]);
    deepStrictEqual(own, [
      `${names[0]} >> start`,
      "100",
      `${names[1]} >> end`,
      `${names[2]} >> start`,
      "100",
      `${names[3]} >> end`,
      "MainProcess >> executed apply...",
      "MainProcess >> 100 100",
    ]);
  }
  match(
    lines.at(-1)!,
    /^MainProcess >> 20 blocking applies of 30 ms each took \d+ ms: one at a time, not 5 at once$/,
  );
});
