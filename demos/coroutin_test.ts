import { deepStrictEqual } from "node:assert/strict";
import { coroutin, helloFriends, helloFriendsUseCoroutin } from "./coroutin.ts";

Deno.test("demo coroutin: the tutorial's lines, and yield* hands on the inner generator's return value", () => {
  deepStrictEqual(coroutin(() => {}), [
    "-- for loop over a generator",
    "hello leedonggyu",
    "hello limjeahyock",
    "hello kimboyun",
    "-- send: next(value)",
    "hello leedonggyu",
    "limjeahock",
    "hello leedonggyu",
    "kimboyoun",
    "-- yield* (Python's yield from)",
    ...["hello leedonggyu", "hello limjeahyock", "hello kimboyun", "Done"],
    ...["hello leedonggyu", "hello limjeahyock", "hello kimboyun", "Done"],
  ]);
});

Deno.test("demo coroutin: a generator returns Done after its yields; a coroutine yields back what it was sent", () => {
  const friends = helloFriends();
  for (let i = 0; i < 3; i++) friends.next();
  deepStrictEqual(friends.next(), { value: "Done", done: true });
  deepStrictEqual(friends.next(), { value: undefined, done: true });
  const co = helloFriendsUseCoroutin();
  co.next();
  deepStrictEqual(co.next("x"), { value: "x", done: false });
  // Not sent a value, `r` is undefined (Python: None).
  co.next();
  deepStrictEqual(co.next(), { value: undefined, done: false });
});
