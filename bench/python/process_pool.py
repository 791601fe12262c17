"""The Python side of the process pool bench (bench/process_bench.ts):
concurrent.futures.ProcessPoolExecutor(2) and multiprocessing.Pool(2), each
started once, and a ThreadPoolExecutor(2) for the per-task overhead of
threads. Per iteration the Deno bench writes one line and this script
answers "ok <checksum> <elapsed ns>", or "error <why>":

  tiny N        N submits of a no-op, then every result
  seq N         N submits one at a time, each awaited
  threadseq N   the same on the ThreadPoolExecutor(2)
  map N CHUNK   Pool.map of a no-op over N items, chunksize CHUNK
  cpu N MS      N tasks that each compute for MS milliseconds
  process N     N times, start a multiprocessing.Process of a no-op and join it

Run it alone:  echo "tiny 20000" | python3 bench/python/process_pool.py
"""

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from _driver import serve


def inc(n: int) -> int:
    return n + 1


def noop() -> None:
    pass


def spin(ms: float) -> int:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass
    return 1


def watch_parent(parent: int) -> None:
    """A worker's initializer: the worker ends when this script does, even
    when it is killed (a killed pool leaves its workers waiting forever)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    parent = (os.getpid(),)
    executor = ProcessPoolExecutor(2, initializer=watch_parent, initargs=parent)
    pool = multiprocessing.Pool(2, initializer=watch_parent, initargs=parent)
    threads = ThreadPoolExecutor(2)
    executor.submit(inc, 0).result()
    threads.submit(inc, 0).result()
    pool.apply(inc, (0,))

    def answer(line: str) -> str:
        words = line.split()
        start = time.perf_counter_ns()
        if words[0] == "tiny":
            n = int(words[1])
            futures = [executor.submit(inc, i) for i in range(n)]
            total = sum(f.result() for f in futures)
        elif words[0] == "seq":
            total = sum(executor.submit(inc, i).result()
                        for i in range(int(words[1])))
        elif words[0] == "threadseq":
            total = sum(threads.submit(inc, i).result()
                        for i in range(int(words[1])))
        elif words[0] == "map":
            total = sum(pool.map(inc, range(int(words[1])),
                                 chunksize=int(words[2])))
        elif words[0] == "cpu":
            futures = [executor.submit(spin, float(words[2]))
                       for _ in range(int(words[1]))]
            total = sum(f.result() for f in futures)
        elif words[0] == "process":
            total = 0
            for _ in range(int(words[1])):
                process = multiprocessing.Process(target=noop)
                process.start()
                process.join()
                total += 1 if process.exitcode == 0 else 0
        else:
            return f"error unknown question {line!r}"
        return f"ok {total} {time.perf_counter_ns() - start}"

    try:
        serve(answer)
    finally:
        pool.terminate()
        executor.shutdown(cancel_futures=True)
        threads.shutdown(cancel_futures=True)


if __name__ == "__main__":
    main()
