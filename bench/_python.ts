// The Python baselines of the benches: one long-running python3 process per
// script, driven one line at a time over its stdin and stdout.

import { fileURLToPath } from "node:url";
import { withinStallTime } from "./_shared.ts";

/**
 * A Python script (see bench/python/_driver.py) that answers each line of
 * its stdin with one line: "ok ..." or "error <why>". Once it has failed to
 * start, exited or stalled, every later question fails at once.
 */
export class PythonChild {
  /** The script's file name, which the error messages start with. */
  readonly name: string;
  #child: Deno.ChildProcess | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #lines: AsyncGenerator<string> | undefined;
  #failure: string | undefined;

  constructor(script: URL) {
    this.name = script.pathname.slice(script.pathname.lastIndexOf("/") + 1);
    try {
      this.#child = new Deno.Command("python3", {
        args: [fileURLToPath(script)],
        stdin: "piped",
        stdout: "piped",
      }).spawn();
      this.#writer = this.#child.stdin.getWriter();
      this.#lines = lines(this.#child.stdout);
    } catch (error) {
      this.#failure = error instanceof Deno.errors.NotFound
        ? "python3 was not found on the PATH (install Python 3 to run this case)"
        : `python3 could not be started: ${error}`;
    }
  }

  /**
   * Writes `line`, waits (up to STALL_MS) for the answer and returns what
   * follows its "ok "; throws if it is not "ok ...".
   */
  async ask(line: string): Promise<string> {
    if (this.#failure) throw new Error(this.#failure);
    try {
      await this.#writer!.write(new TextEncoder().encode(`${line}\n`));
    } catch (error) {
      this.#failure = `python3 ${this.name} exited before it was asked ` +
        `(${error})`;
      throw new Error(this.#failure);
    }
    const { value, done } = await withinStallTime(
      `python3 ${this.name}`,
      this.#lines!.next(),
      () => {
        this.#failure = `python3 ${this.name} stalled and was killed`;
        this.close();
      },
    );
    if (done) {
      this.#failure = `python3 ${this.name} exited before it answered`;
      throw new Error(this.#failure);
    }
    if (!value.startsWith("ok ")) {
      throw new Error(`python3 ${this.name} failed: ${value}`);
    }
    return value.slice("ok ".length);
  }

  close(): void {
    try {
      this.#child?.kill();
    } catch {
      // it has exited already
    }
  }
}

/** The lines of `stream`, without their "\n". */
async function* lines(stream: ReadableStream<Uint8Array>) {
  let buffered = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffered += text;
    let end;
    while ((end = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
    }
  }
}
