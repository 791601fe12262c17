import { deepStrictEqual } from "node:assert/strict";
import { hmacSha256, sha256 } from "./_sha256.ts";

Deno.test("sha256 and hmacSha256 agree with Web Crypto, for every length around the block sizes and for long keys", async () => {
  for (const length of [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 200, 1000]) {
    const message = crypto.getRandomValues(new Uint8Array(length));
    deepStrictEqual(
      sha256(message),
      new Uint8Array(await crypto.subtle.digest("SHA-256", message)),
    );
    for (const keyLength of [1, 32, 64, 65, 100]) {
      const key = crypto.getRandomValues(new Uint8Array(keyLength));
      const cryptoKey = await crypto.subtle.importKey(
        "raw",
        key,
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      deepStrictEqual(
        hmacSha256(key, message),
        new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, message)),
      );
    }
  }
});
