// The tutorial's workloads, as the tasks of every Deno variant: the main
// thread calls them, and ThreadPool and ProcessPool import this module by
// URL and call its exports by name.

import { parse } from "npm:node-html-parser@9.0.7";

/**
 * The tutorial's loop (`i = i + 1 - 2 + 3 - 4 + 5` while `i < limit`);
 * returns `i`, so that the work is checked and cannot be left out.
 */
export function countLoop(limit: number): number {
  let i = 0;
  while (i < limit) i = i + 1 - 2 + 3 - 4 + 5;
  return i;
}

const texts = new Map<number, string>();

/** "leedonggyu " x `repeat`, built once per thread. */
export function largeText(repeat: number): string {
  let text = texts.get(repeat);
  if (text === undefined) {
    texts.set(repeat, text = "leedonggyu ".repeat(repeat));
  }
  return text;
}

/**
 * The tutorial's write: the large text to `path`, then the file removed
 * (it spawns `rm -rf`; removing it here keeps a process start out of the
 * figure, on both sides). Returns the text's length.
 */
export async function writeLargeText(path: string, repeat: number): Promise<
  number
> {
  const text = largeText(repeat);
  await Deno.writeTextFile(path, text);
  await Deno.remove(path);
  return text.length;
}

/** The same write, blocking its thread meanwhile. */
export function writeLargeTextSync(path: string, repeat: number): number {
  const text = largeText(repeat);
  Deno.writeTextFileSync(path, text);
  Deno.removeSync(path);
  return text.length;
}

/**
 * The tutorial's main(url) without its prints: GET the page, then the text
 * of its first `<p>`, parsed by a real HTML parser; returns its length.
 */
export async function scrape(url: string): Promise<number> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const paragraph = parse(await response.text()).querySelector("p");
  if (paragraph === null) throw new Error(`${url}: no <p>`);
  return paragraph.text.length;
}
