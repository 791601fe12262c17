// The tutorial's scrape (example/example_2.py): 9 pages, the first <p> of
// each (node-html-parser here, BeautifulSoup or html.parser in Python),
// against a local site on 127.0.0.1 whose every page answers after
// LATENCY_MS (BENCH_SCRAPE_LATENCY_MS, default 500 ms), as a distant server
// would. Sequential, all at once on one event loop (Promise.all),
// ThreadPool.map and ProcessPool.map with one worker per page; and, in the
// same run, Python sequential, ThreadPoolExecutor.map and
// ProcessPoolExecutor.map (bench/python/seed_bench.py). The physical limit
// is one page's latency: every page waits at the same time.
//
//   deno bench --allow-read --allow-run --allow-net=127.0.0.1 bench/scrape_bench.ts
//
// The tutorial measured 5.04 s one after another and 0.62 s on a
// ThreadPoolExecutor, against real servers.

import {
  askPython,
  benchCase,
  check,
  closePool,
  poolOf,
} from "./_tutorial_cases.ts";
import {
  GROUPS,
  PAGES,
  PLAN,
  pooled,
  SCRAPE_WORKERS,
  V,
} from "./_tutorial_plan.ts";

const SCRAPE_GROUP = GROUPS.scrape;
const LATENCY_MS = PLAN.latencyMs;
import { scrape } from "./_tutorial_tasks.ts";

const paragraph = (page: number) =>
  `This domain is for use in illustrative examples (page ${page}).`;

const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (request) => {
    const page = Number(new URL(request.url).pathname.split("/").at(-1));
    await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
    return new Response(
      `<!doctype html><html><head><title>Example ${page}</title></head>` +
        `<body><div><h1>Example Domain</h1><p>${paragraph(page)}</p>` +
        `<p>More information...</p></div></body></html>`,
      { headers: { "content-type": "text/html; charset=utf-8" } },
    );
  },
);
globalThis.addEventListener("unload", () => void server.shutdown());

const base = `http://127.0.0.1:${server.addr.port}/page/`;
const urls = Array.from({ length: PAGES }, (_, i) => `${base}${i + 1}`);
const expected = urls.reduce((sum, _, i) => sum + paragraph(i + 1).length, 0);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const slow = { n: 2, warmup: 1 };
const fast = { n: 5, warmup: 1 };

benchCase(SCRAPE_GROUP, V.sequential, { baseline: true, ...slow }, async () => {
  await closePool();
  let total = 0;
  for (const url of urls) total += await scrape(url);
  check(V.sequential, total, expected);
});

benchCase(SCRAPE_GROUP, V.promiseAll, fast, async () => {
  check(V.promiseAll, sum(await Promise.all(urls.map(scrape))), expected);
});

for (
  const [kind, variant] of [["thread", V.threadPool], [
    "process",
    V.processPool,
  ]] as const
) {
  benchCase(SCRAPE_GROUP, pooled(variant, SCRAPE_WORKERS), fast, async (b) => {
    const pool = await poolOf(kind, SCRAPE_WORKERS, {
      read: true,
      net: ["127.0.0.1"],
    });
    b.start();
    const done = await pool.map("scrape", urls, { chunksize: 1 });
    b.end();
    check(variant, sum(done), expected);
  });
}

benchCase(SCRAPE_GROUP, V.pySequential, slow, async () => {
  await closePool();
  check(
    V.pySequential,
    await askPython(`scrape seq 1 ${urls.join(" ")}`),
    expected,
  );
});
for (
  const [mode, variant] of [["threads", V.pyThreads], [
    "processes",
    V.pyProcesses,
  ]] as const
) {
  benchCase(SCRAPE_GROUP, pooled(variant, SCRAPE_WORKERS), fast, async () => {
    const question = `scrape ${mode} ${SCRAPE_WORKERS} ${urls.join(" ")}`;
    check(variant, await askPython(question), expected);
  });
}
