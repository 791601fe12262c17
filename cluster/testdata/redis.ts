// Test helpers: a redis-server of the test's own, on a free loopback port,
// without persistence, and cluster workers as child processes. Everything
// started here is stopped by `[Symbol.asyncDispose]`.

import { createClient } from "npm:@redis/client@5.12.4";

const WORKER = new URL("../worker.ts", import.meta.url).href;
const TASKS = new URL("./tasks.ts", import.meta.url).href;

export { TASKS };

/** A port that was free a moment ago. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function ping(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buffer = new Uint8Array(16);
      const n = await conn.read(buffer);
      // A server that wants a password answers, too.
      return n !== null &&
        /^(\+PONG|-NOAUTH)/.test(
          new TextDecoder().decode(buffer.subarray(0, n)),
        );
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

export class TestRedis implements AsyncDisposable {
  readonly port = freePort();
  readonly #password: string | undefined;
  /** The server's URL, with its password if it has one. */
  readonly url: string;

  constructor(options: { password?: string } = {}) {
    this.#password = options.password;
    this.url = `redis://${
      this.#password === undefined ? "" : `:${this.#password}@`
    }127.0.0.1:${this.port}`;
  }
  #server: Deno.ChildProcess | undefined;
  readonly #workers = new Set<Deno.ChildProcess>();

  /** Starts (or starts again) the server, and waits until it answers. */
  async start(): Promise<void> {
    this.#server = new Deno.Command("redis-server", {
      args: [
        "--port",
        `${this.port}`,
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        ...(this.#password === undefined
          ? []
          : ["--requirepass", this.#password]),
      ],
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    const deadline = performance.now() + 10_000;
    while (!(await ping(this.port))) {
      if (performance.now() > deadline) {
        throw new Error("redis-server did not start");
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops the server (its data goes with it). */
  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    server.kill("SIGKILL");
    await server.status;
  }

  /** The keys under `prefix`. */
  async keys(prefix = "parallel"): Promise<string[]> {
    return (await this.command(["KEYS", `${prefix}:*`]) as string[]).sort();
  }

  /** Runs one command on a connection of its own. */
  async command(args: string[]): Promise<unknown> {
    const client = createClient({ url: this.url });
    client.on("error", () => {});
    await client.connect();
    try {
      return await client.sendCommand(args);
    } finally {
      client.destroy();
    }
  }

  /** Starts a worker process; resolves once it is ready. */
  async worker(
    flags: string[] = [],
    module = TASKS,
  ): Promise<Deno.ChildProcess> {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--allow-read",
        "--allow-net=127.0.0.1",
        // For a worker whose local pool is a ProcessPool (`--pool process`).
        "--allow-run",
        WORKER,
        "--redis",
        this.url,
        "--module",
        module,
        ...flags,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#workers.add(child);
    child.status.then(() => this.#workers.delete(child));
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let seen = "";
    while (!seen.includes("parallel worker ready")) {
      const { value, done } = await reader.read();
      if (done) {
        throw new Error(`The worker exited before it was ready: ${seen}`);
      }
      seen += value;
    }
    // Drain the rest, so that the child never blocks on a full pipe.
    (async () => {
      while (!(await reader.read()).done) { /* drain */ }
    })().catch(() => {});
    return child;
  }

  /** Stops a worker as SIGTERM does (it leaves the group), and waits. */
  async stopWorker(child: Deno.ChildProcess): Promise<void> {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await child.status;
  }

  /** Kills the server and the workers at once (for `unload`, which cannot wait). */
  killNow(): void {
    for (const child of [...this.#workers, this.#server]) {
      try {
        child?.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const child of this.#workers) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await child.status;
    }
    await this.stop();
  }
}
