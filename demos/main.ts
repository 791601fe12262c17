/**
 * The demo runner: `deno task demo` runs every demo in turn, and
 * `deno task demo NAME` runs one.
 *
 * @module
 */

const demos: Record<string, string> = {
  lock_thread: "Threads add to a shared counter, without and with a Lock",
};

const names = Deno.args.length > 0 ? Deno.args : Object.keys(demos);
for (const name of names) {
  if (!(name in demos)) {
    console.error(
      `Unknown demo ${JSON.stringify(name)}; the demos are: ${
        Object.keys(demos).join(", ")
      }`,
    );
    Deno.exit(2);
  }
}
for (const name of names) {
  console.log(`\n== ${name}: ${demos[name]}`);
  const url = new URL(`./${name}.ts`, import.meta.url);
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", url.href],
    stdout: "inherit",
    stderr: "inherit",
  });
  const { code } = await command.output();
  if (code !== 0) Deno.exit(code);
}
