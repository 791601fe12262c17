"""The Python side of bench/process_shared_bench.ts: 2 processes that each
add 1 to a multiprocessing.Value N times under its get_lock(), started and
joined per question, as the Deno side does. Answers "ok <value> <elapsed ns>":

  counter N

Run it alone:  echo "counter 100000" | python3 bench/python/process_shared.py
"""

import multiprocessing
import time

from _driver import serve


def count(value, times: int) -> None:
    for _ in range(times):
        with value.get_lock():
            value.value += 1


def main() -> None:
    def answer(line: str) -> str:
        words = line.split()
        if words[0] != "counter":
            return f"error unknown question {line!r}"
        times = int(words[1])
        start = time.perf_counter_ns()
        value = multiprocessing.Value("i", 0)
        processes = [multiprocessing.Process(target=count, args=(value, times))
                     for _ in range(2)]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        return f"ok {value.value} {time.perf_counter_ns() - start}"

    serve(answer)


if __name__ == "__main__":
    main()
