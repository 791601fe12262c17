import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { runScript } from "../pools/testdata/run_program.ts";

Deno.test("demo concurrent: submit returns futures at once; asCompleted gives 10 three times, wait both futures done", async () => {
  const { code, stdout, stderr } = await runScript(
    new URL("./concurrent.ts", import.meta.url),
    [],
    ["--allow-read", "--allow-run"],
  );
  strictEqual(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  for (const line of lines.slice(0, 3)) {
    match(line, /^MainProcess >> Future \{ <(pending|running)> \}$/);
  }
  const parent = lines.filter((line) => line.startsWith("MainProcess >> "));
  strictEqual(parent.length, 3 + 3 + 1, stdout);
  for (const line of parent.slice(3, 6)) {
    match(line, /^MainProcess >> as completed: 10, after \d+ ms$/);
  }
  match(
    parent[6]!,
    /^MainProcess >> wait: 2 done, 0 not done: Future \{ 12 \}, Future \{ 42 \}, after \d+ ms$/,
  );
  // Each task logs start, its product, end, in its pool process.
  const tasks = lines.filter((line) => !line.startsWith("MainProcess >> "));
  strictEqual(tasks.length, 5 * 3, stdout);
  const products: string[] = [];
  const names = new Set(tasks.map((line) => line.split(" >> ")[0]!));
  for (const name of names) {
    match(name, /^ProcessPool-\d+_\d+$/);
    const own = tasks.filter((line) => line.startsWith(`${name} >> `))
      .map((line) => line.slice(name.length + 4));
    for (let i = 0; i < own.length; i += 3) {
      strictEqual(own[i], "start", name);
      strictEqual(own[i + 2], "end", name);
      products.push(own[i + 1]!);
    }
  }
  deepStrictEqual(products.sort(), ["10", "10", "10", "12", "42"]);
});
