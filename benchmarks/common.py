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


def train_with_evaluations(loop, agent, steps: int, eval_every: int,
                           evaluate: Callable[[], dict],
                           report: Callable[[dict, float, float], None]) -> dict:
    """Trains with `loop` for `steps` env steps, evaluating every `eval_every`.

    After every `eval_every` steps (and at the end) `evaluate()` returns a dict
    with at least 'mean_return'; it is recorded with the env steps so far and
    passed to `report(evaluation, env steps/s, learner updates/s)`. The rates
    count training time only (acting, replay and learning), not evaluation.

    Returns: 'evaluations', 'final_mean_return', 'env_steps', 'train_seconds',
    'env_steps_per_second', 'learner_updates_per_second', 'learner_updates'.
    """
    evaluations, train_seconds, taken = [], 0.0, 0
    while taken < steps:
        start = time.perf_counter()
        taken += loop.run(num_steps=min(eval_every, steps - taken))
        train_seconds += time.perf_counter() - start
        evaluation = dict(env_steps=taken, **evaluate())
        evaluations.append(evaluation)
        report(evaluation, taken / train_seconds,
               agent.learner.num_updates / train_seconds)
    updates = agent.learner.num_updates
    return {'evaluations': evaluations,
            'final_mean_return': float(evaluations[-1]['mean_return']),
            'env_steps': taken, 'train_seconds': train_seconds,
            'env_steps_per_second': taken / train_seconds,
            'learner_updates_per_second': updates / train_seconds,
            'learner_updates': updates}


def add_intra_op_threads_argument(parser) -> None:
    """`--intra-op-threads N`: TensorFlow's threads per op in the benchmark."""
    parser.add_argument('--intra-op-threads', type=int, default=None, metavar='N',
                        help="TensorFlow's threads per op (default: TensorFlow's "
                             'choice, the number of cores)')


def apply_intra_op_threads(parser, args) -> None:
    """Checks `--intra-op-threads` and sets it before TensorFlow starts."""
    threads = args.intra_op_threads
    if threads is not None and threads < 1:
        parser.error(f'--intra-op-threads must be >= 1, got {threads}.')
    from troupe.components import devices
    devices.set_cpu_threads(intra_op=threads)


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


def final_greedy_return(logdir: str):
    """A finished `troupe train` run's final greedy mean return and its results."""
    from troupe.cli import rundir
    results = rundir.read_results(logdir)
    return results['final_evaluation']['mean_return'], results


def greedy_curve(logdir: str) -> List[List[float]]:
    """A `troupe train` run's periodic greedy evaluations (--eval-every):
    [[env steps, mean return], ...], [] when it made none."""
    import csv
    from troupe.cli import rundir
    path = rundir.csv_path(logdir, 'evaluator')
    if not os.path.exists(path):
        return []
    with open(path, newline='') as file:
        return [[int(float(row['env_steps'])), float(row['mean_return'])]
                for row in csv.DictReader(file)]
