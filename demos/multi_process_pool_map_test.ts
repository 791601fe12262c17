import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { runScript } from "../pools/testdata/run_program.ts";

Deno.test("demo multi_process_pool_map: map returns the results in order; imap gives 100 before the task of 300 has ended", async () => {
  const { code, stdout, stderr } = await runScript(
    new URL("./multi_process_pool_map.ts", import.meta.url),
    [],
    ["--allow-read", "--allow-run", "--allow-ffi"],
  );
  strictEqual(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  // map: each task starts and ends once, then the parent's two lines.
  strictEqual(lines.length, 8 + 10 * 9, stdout);
  const task = /^ProcessPool-\d+_\d+ >> (start|end) (\d+)$/;
  const mapTasks = lines.slice(0, 6).map((line) => task.exec(line)?.slice(1));
  for (const seen of mapTasks) ok(seen, stdout);
  deepStrictEqual(
    mapTasks.map((seen) => seen!.join(" ")).sort(),
    ["end 100", "end 200", "end 300", "start 100", "start 200", "start 300"],
  );
  match(lines[6]!, /^MainProcess >> map: executed\.\.\. 3, after \d+ ms$/);
  strictEqual(lines[7], "MainProcess >> [100, 200, 300]");
  for (let round = 0; round < 10; round++) {
    const own = lines.slice(8 + round * 9, 8 + round * 9 + 9);
    const results = own.flatMap((line) =>
      /^MainProcess >> imap: (\d+), after \d+ ms$/.exec(line)?.[1] ?? []
    );
    deepStrictEqual(results, ["100", "200", "300"], own.join("\n"));
    const tasks = own.filter((line) => task.test(line));
    strictEqual(tasks.length, 6, own.join("\n"));
    // The gate: 300's task ends only after the parent got 100.
    const got100 = own.findIndex((line) => line.includes("imap: 100"));
    const end300 = own.findIndex((line) => / >> end 300$/.test(line));
    ok(got100 < end300, own.join("\n"));
  }
});
