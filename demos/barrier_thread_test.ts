import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { lineOf, runDemo } from "./_run.ts";

Deno.test("demo barrier_thread: two threads pass the barrier of two, the third gets BrokenBarrierError after abort()", async () => {
  const { code, lines, stderr } = await runDemo("barrier_thread");
  strictEqual(code, 0, stderr);
  const nums = lines.flatMap((line) => {
    const match = / : num=(\d)$/.exec(line);
    return match ? [Number(match[1])] : [];
  });
  deepStrictEqual(nums.sort(), [0, 1]);
  const broken = lines.filter((line) => line.includes("BrokenBarrierError"));
  strictEqual(broken.length, 1, lines.join("\n"));
  ok(
    lineOf(lines, "1 thread waits at the barrier: abort()") <
      lines.indexOf(broken[0]!),
  );
  lineOf(lines, "MainThread : active count: 4");
  strictEqual(lineOf(lines, "MainThread : active count: 1"), lines.length - 1);
});
