// `deno task check`: runs `deno publish --dry-run` and fails if a file that
// the published code loads at run time is missing from the package. Worker
// entry files are loaded with `new URL("./file.ts", import.meta.url)`, which
// the module graph (and so the dry run) does not follow.

const output = await new Deno.Command(Deno.execPath(), {
  args: ["publish", "--dry-run", "--allow-dirty"],
  env: { NO_COLOR: "1" },
}).output();
const text = new TextDecoder().decode(output.stdout) +
  new TextDecoder().decode(output.stderr);
if (!output.success) {
  console.error(text);
  Deno.exit(1);
}
const published = new Set(
  [...text.matchAll(/^\s+(file:\/\/\S+)/gm)].map((match) => match[1]!),
);
const missing: string[] = [];
for (const file of published) {
  if (!file.endsWith(".ts")) continue;
  // Code only: a JSDoc example that loads the user's own module does not
  // count.
  const source = (await Deno.readTextFile(new URL(file)))
    .replace(/\/\*\*[\s\S]*?\*\//g, "");
  for (
    const [, path] of source.matchAll(
      /new URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url\s*\)/g,
    )
  ) {
    const target = new URL(path!, file).href;
    if (!published.has(target)) missing.push(`${target} (loaded by ${file})`);
  }
}
if (missing.length > 0) {
  console.error(
    `Files loaded at run time but not published:\n${missing.join("\n")}`,
  );
  Deno.exit(1);
}
console.log(`Publish dry run: ${published.size} files, none missing`);
