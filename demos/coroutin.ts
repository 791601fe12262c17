/**
 * Python's `async-sync/coroutin.py`: generators as coroutines, functions
 * that pause at each `yield` and resume where they were. A plain generator
 * yields three greetings and returns "Done"; a coroutine also takes a value
 * back at each pause (Python's `send(x)`, here `next(x)`); and one that
 * delegates with `yield*` (Python's `yield from`) gets the inner
 * generator's return value, "Done", and yields it, round after round.
 *
 * JavaScript's generators are Python's, nearly word for word: the one
 * difference is that the first `next()` cannot carry a value, as Python's
 * first `send` must be `None`.
 *
 * Run it with `deno run demos/coroutin.ts`.
 *
 * @module
 */

/** A normal generator: three greetings, then returns "Done". */
export function* helloFriends(): Generator<string, string> {
  yield "hello leedonggyu";
  yield "hello limjeahyock";
  yield "hello kimboyun";
  return "Done";
}

/** A coroutine: yields a greeting, then yields what it was sent back. */
export function* helloFriendsUseCoroutin(): Generator<
  string | undefined,
  never,
  string | undefined
> {
  for (;;) {
    const r = yield "hello leedonggyu";
    yield r;
  }
}

/** A coroutine that delegates to {@linkcode helloFriends} with `yield*`. */
export function* helloFriendsUseCoroutinFrom(): Generator<string, never> {
  for (;;) {
    const r = yield* helloFriends();
    yield r;
  }
}

/**
 * Drives the three generators as the tutorial does (its commented-out
 * parts included), printing what each step gives.
 *
 * @param log Where each line goes (default `console.log`).
 * @returns The lines printed.
 */
export function coroutin(
  log: (line: string) => void = console.log,
): string[] {
  const lines: string[] = [];
  const print = (line: unknown) => {
    const text = line === undefined ? "None" : String(line);
    log(text);
    lines.push(text);
  };

  print("-- for loop over a generator");
  for (const friend of helloFriends()) print(friend);

  print("-- send: next(value)");
  const friend = helloFriendsUseCoroutin();
  print(friend.next().value);
  print(friend.next("limjeahock").value);
  print(friend.next().value);
  print(friend.next("kimboyoun").value);

  print("-- yield* (Python's yield from)");
  const from = helloFriendsUseCoroutinFrom();
  for (let i = 0; i < 8; i++) print(from.next().value); // "Done", then again
  return lines;
}

if (import.meta.main) coroutin();
