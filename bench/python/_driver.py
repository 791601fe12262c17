"""What the Python sides of the benches share: the loop that answers the Deno
bench one line at a time, and the "N MAXSIZE" questions of the queue scripts.
"""

import sys
from typing import Callable


def serve(answer: Callable[[str], str]) -> None:
    """Answers each non-empty line of stdin with one line, until its end."""
    for line in sys.stdin:
        line = line.strip()
        if line:
            print(answer(line), flush=True)


def parse_stream(line: str) -> tuple[int, int]:
    """Reads "N MAXSIZE"; raises ValueError if it is not two counts."""
    n, maxsize = (int(word) for word in line.split())
    if n < 0 or maxsize < 0:
        raise ValueError(f"negative count or size: {line!r}")
    return n, maxsize


def serve_streams(run: Callable[[int, int], tuple[float, int]]) -> None:
    """Answers each "N MAXSIZE" with "ok <checksum> <elapsed ns>" from
    run(n, maxsize), or "error <why>" if it raises ValueError."""
    def answer(line: str) -> str:
        try:
            total, elapsed = run(*parse_stream(line))
        except ValueError as error:
            return f"error {error}"
        return f"ok {total!r} {elapsed}"

    serve(answer)
