"""Memory of the per-iteration loss: vizlearn's Recorder vs a list of tuples.

The Recorder used to keep ``(step, loss)`` tuples in a list; it now appends to
a growing numpy buffer. Both record the same 200 000 losses, measured with
tracemalloc in one process, and the bytes per iteration are printed.
"""

from __future__ import annotations

import time
import tracemalloc

from vizlearn.trace import Recorder

N = 200_000


def _measure(make, record) -> tuple[float, float]:
    tracemalloc.start()
    start_bytes = tracemalloc.get_traced_memory()[0]
    start = time.perf_counter()
    holder = make()
    for step in range(N):
        record(holder, step, 1.0 / (step + 1))
    seconds = time.perf_counter() - start
    used = tracemalloc.get_traced_memory()[0] - start_bytes
    tracemalloc.stop()
    return used / N, seconds / N * 1e6


def main() -> None:
    """Print bytes and microseconds per iteration of both ways."""
    tuples = _measure(list, lambda h, s, v: h.append((int(s), float(v))))
    recorder = _measure(Recorder, lambda h, s, v: h.record(s, loss=v))
    print(f"{N:,} losses recorded (tracemalloc; time includes its overhead)")
    print(f"  list of (step, loss) tuples: {tuples[0]:6.1f} B/iteration")
    print(f"  vizlearn Recorder:           {recorder[0]:6.1f} B/iteration")
    print(f"  ratio: {recorder[0] / tuples[0]:.2f}x")
    print(f"  time: {tuples[1]:.2f} vs {recorder[1]:.2f} us/iteration")


if __name__ == "__main__":
    main()
