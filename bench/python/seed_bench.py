"""The Python side of the tutorial's benchmarks (bench/io_bound_bench.ts,
bench/cpu_bound_bench.ts, bench/scrape_bench.ts): the tutorial's own three
workloads, sequential, on a ThreadPoolExecutor and on a ProcessPoolExecutor,
measured in the same run as their Deno counterparts. Each pool is started
once per worker count and kept (the Deno pools are warm too), so a figure is
the work, not the start of the pool.

The Deno bench writes one line per iteration; this script answers
"ok <checksum> <elapsed ns>", or "error <why>":

  calibrate MS               the loop's limit for MS milliseconds of work here
  cpu MODE TASKS LIMIT W     TASKS runs of the tutorial's loop up to LIMIT
  io MODE TASKS REPEAT DIR   TASKS files in DIR, each "leedonggyu " x REPEAT
  scrape MODE W URL...       the first <p> of each page

MODE is seq, threads or processes; W the pool's workers. `python3
seed_bench.py --info` prints one line of JSON: the Python version and the
libraries the scrape uses (requests + BeautifulSoup when both are installed,
as in the tutorial; urllib + html.parser otherwise).

Run it alone:  echo "cpu seq 2 10000000 1" | python3 bench/python/seed_bench.py
"""

import json
import os
import platform
import sys
import threading
import time
import urllib.request
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from html.parser import HTMLParser

from _driver import serve

try:
    import requests
    from bs4 import BeautifulSoup
except ImportError:
    requests = None
    BeautifulSoup = None


def cpu_bounded(limit: int) -> int:
    """The tutorial's loop (example/example_3.py), with its limit as an
    argument; returns i so that the work is checked."""
    i = 0
    while i < limit:
        i = i + 1 - 2 + 3 - 4 + 5
    return i


_texts: dict[int, str] = {}


def io_bounded(path: str, repeat: int) -> int:
    """The tutorial's write: open, write the large text, seek; then the file
    is removed (the tutorial spawns `rm -rf`; os.remove here, as Deno's side
    does, so that neither measures a process start)."""
    text = _texts.get(repeat)
    if text is None:
        text = _texts[repeat] = "leedonggyu " * repeat
    with open(path, "w+") as fs:
        fs.write(text)
        fs.seek(0)
    os.remove(path)
    return len(text)


class _FirstParagraph(HTMLParser):
    """The text of the first <p>, with html.parser alone."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.done = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "p" and not self.done:
            self.depth += 1

    def handle_endtag(self, tag) -> None:
        if tag == "p" and self.depth > 0:
            self.depth -= 1
            self.done = self.depth == 0

    def handle_data(self, data) -> None:
        if self.depth > 0:
            self.text.append(data)


def scrape(url: str) -> int:
    """The tutorial's main(url) without its prints: GET, then the first
    <p>'s text; returns its length."""
    if requests is not None:
        res = requests.get(url, timeout=5)
        res.raise_for_status()
        return len(BeautifulSoup(res.text, "html.parser").select_one("p").text)
    with urllib.request.urlopen(url, timeout=5) as res:
        parser = _FirstParagraph()
        parser.feed(res.read().decode())
        return len("".join(parser.text))


def watch_parent(parent: int) -> None:
    """A worker's initializer: it ends when this script does, even if this
    script is killed."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


_pools: dict[tuple[str, int], Executor] = {}


def pool(mode: str, workers: int) -> Executor:
    """The warm pool of this mode and size, started (every worker) on first
    use."""
    key = (mode, workers)
    if key not in _pools:
        if mode == "threads":
            executor: Executor = ThreadPoolExecutor(workers)
        elif mode == "processes":
            executor = ProcessPoolExecutor(
                workers, initializer=watch_parent, initargs=(os.getpid(),))
        else:
            raise ValueError(f"unknown mode {mode!r}")
        list(executor.map(time.sleep, [0.05] * workers))
        _pools[key] = executor
    return _pools[key]


def run(mode: str, workers: int, task, args: list) -> int:
    """task(*arg) for each arg, on the mode's pool; the sum of results."""
    if mode == "seq":
        return sum(task(*arg) for arg in args)
    executor = pool(mode, workers)
    return sum(f.result() for f in [executor.submit(task, *a) for a in args])


def calibrate(ms: float) -> int:
    """The limit at which one cpu_bounded call takes about ms here (best
    of three)."""
    probe = 2_000_000
    best = min(_timed(cpu_bounded, probe) for _ in range(3))
    return max(1, round(probe * ms / 1000 / best))


def _timed(task, arg) -> float:
    start = time.perf_counter()
    task(arg)
    return time.perf_counter() - start


def answer(line: str) -> str:
    words = line.split()
    try:
        if words[0] == "calibrate":
            return f"ok {calibrate(float(words[1]))} 0"
        start = time.perf_counter_ns()
        if words[0] == "cpu":
            mode, tasks, limit, workers = words[1], *map(int, words[2:5])
            total = run(mode, workers, cpu_bounded, [(limit,)] * tasks)
        elif words[0] == "io":
            mode, tasks, repeat, folder = words[1], int(words[2]), \
                int(words[3]), words[4]
            args = [(os.path.join(folder, f"python_{i + 1}.txt"), repeat)
                    for i in range(tasks)]
            total = run(mode, tasks, io_bounded, args)
        elif words[0] == "scrape":
            mode, workers, urls = words[1], int(words[2]), words[3:]
            total = run(mode, workers, scrape, [(url,) for url in urls])
        else:
            return f"error unknown question {line!r}"
    except (ValueError, IndexError, OSError) as error:
        return f"error {type(error).__name__}: {error}"
    return f"ok {total} {time.perf_counter_ns() - start}"


def info() -> dict:
    return {
        "version": platform.python_version(),
        "scrape": "requests + BeautifulSoup" if requests is not None
        else "urllib + html.parser (requests or bs4 not installed)",
    }


def main() -> None:
    if sys.argv[1:] == ["--info"]:
        print(json.dumps(info()))
        return
    try:
        serve(answer)
    finally:
        for executor in _pools.values():
            executor.shutdown(cancel_futures=True)


if __name__ == "__main__":
    main()
