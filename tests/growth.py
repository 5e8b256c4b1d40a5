"""How a function's cost grows with its input: a ratio of CPU times, robust to a busy machine."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import TypeVar

Input = TypeVar("Input")


def cpu_seconds(run: Callable[[], object], repeat: int = 3) -> float:
    """The least CPU time of `repeat` runs, garbage collection off as `timeit` has it: other
    processes slow none of them, and noise only adds."""
    best = float("inf")
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.process_time()
            run()
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best


def growth(run: Callable[[Input], object], small: Input, large: Input) -> float:
    """CPU time on `large` over CPU time on `small`: about their ratio in size when the cost
    is linear, its square when quadratic."""
    return cpu_seconds(lambda: run(large)) / cpu_seconds(lambda: run(small))
