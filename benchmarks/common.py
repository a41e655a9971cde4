"""Shared helpers for benchmarks: timing, machine facts and writing results."""

import json
import os
import platform
import statistics
import time
from typing import Callable, Dict, List

RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'results')


def rate(fn: Callable[[], int], repeats: int = 3) -> Dict[str, float]:
    """Runs `fn` (returning a count of work units) `repeats` times; units/s stats."""
    rates: List[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        units = fn()
        rates.append(units / (time.perf_counter() - start))
    return {'median': statistics.median(rates), 'best': max(rates), 'runs': rates}


def machine() -> Dict[str, str]:
    import tensorflow as tf
    return {'python': platform.python_version(), 'tensorflow': tf.__version__,
            'cpus': str(os.cpu_count()), 'processor': platform.machine()}


def write_results(name: str, results: dict) -> str:
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = os.path.join(RESULTS_DIR, f'{name}.json')
    with open(path, 'w') as f:
        json.dump({'machine': machine(), **results}, f, indent=2)
    return path
