// A user imports this module from JSR, an https: URL. A pool's and a
// Thread's workers must start from there too (`node:worker_threads` loads
// only file: and data: URLs; the data: bootstrap imports the real entry).
// Here the repository is served over http: on 127.0.0.1 for a child `deno`.
import { strictEqual } from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

Deno.test("ThreadPool and Thread start when the module is loaded from an http(s) URL", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const path = new URL(request.url).pathname.slice(1);
      try {
        const body = await Deno.readFile(new URL(path, ROOT));
        return new Response(body, {
          headers: { "content-type": "application/typescript" },
        });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  try {
    const origin = `127.0.0.1:${server.addr.port}`;
    const script = `
      const { ThreadPool, Thread } = await import("http://${origin}/pools/mod.ts");
      await using pool = new ThreadPool({ maxWorkers: 1 });
      console.log(await pool.submit((x) => x * 2, 21));
      const thread = new Thread({ target: () => console.log("thread") });
      thread.start();
      await thread.join();
    `;
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--reload",
        "--no-lock",
        `--allow-import=${origin}`,
        script,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const errors = new TextDecoder().decode(stderr);
    strictEqual(new TextDecoder().decode(stdout), "42\nthread\n", errors);
    strictEqual(code, 0, errors);
  } finally {
    await server.shutdown();
  }
});
