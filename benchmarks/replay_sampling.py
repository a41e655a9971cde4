"""Replay sampling throughput: batches of 256 n-step Catch transitions from Reverb.

Fills tables with the same items (NStepTransitionAdder, n = 5, Catch 10x5 with
random actions), written once with Reverb's auto-tuned chunk lengths (the
writer's default) and once with one-step chunks (the adder's default), then
measures `make_reverb_dataset` variants side by side: repeats interleaved,
each repeat a fresh iterator, a warm-up and `--batches` timed batches pulled
by a `tf.function` (as the learner does). Reports batches/s, items/s and the
process CPU time per batch (less sensitive to other load than wall time), and
the adder's write rate with each chunking.

Usage: python benchmarks/replay_sampling.py [--items 50000] [--batches 400]
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import reverb  # noqa: E402
import tensorflow as tf  # noqa: E402

import troupe  # noqa: E402
from troupe import environments  # noqa: E402
from troupe.components import adders, replay  # noqa: E402
import common  # noqa: E402

BATCH_SIZE = 256
N_STEP = 5


def fill(client: reverb.Client, tables, num_items: int, max_chunk_length) -> float:
    """Writes random-policy Catch transitions until `tables[0]` holds num_items;
    returns the adder's items/s (per table)."""
    env = environments.make('catch', seed=0)
    dtype = env.action_spec().dtype
    adder = adders.NStepTransitionAdder(client, n_step=N_STEP, discount=0.99,
                                        priority_fns={t: None for t in tables},
                                        max_chunk_length=max_chunk_length)
    rng = np.random.default_rng(0)
    timestep = env.reset()
    adder.add_first(timestep)
    start = time.perf_counter()
    while client.server_info()[tables[0]].current_size < num_items:
        for _ in range(500):
            action = np.asarray(rng.integers(3), dtype)
            timestep = env.step(action)
            adder.add(action, timestep)
            if timestep.last():
                timestep = env.reset()
                adder.add_first(timestep)
        adder.flush()
    seconds = time.perf_counter() - start
    size = client.server_info()[tables[0]].current_size
    del adder
    return size / seconds


def measure(make_dataset, batches: int, warmup: int = 20) -> dict:
    iterator = iter(make_dataset())

    @tf.function
    def pull():
        return next(iterator).info.key[0]

    for _ in range(warmup):
        pull()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(batches):
        pull()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {'batches_per_second': batches / wall,
            'cpu_ms_per_batch': 1e3 * cpu / batches}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--items', type=int, default=50_000)
    parser.add_argument('--batches', type=int, default=400)
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args()

    spec = troupe.make_environment_spec(environments.make('catch', seed=0))
    signature = adders.NStepTransitionAdder.signature(spec)
    server = reverb.Server([
        replay.prioritized_table('prioritized_auto', 1_000_000, signature=signature),
        replay.uniform_table('uniform_auto', 1_000_000, signature=signature),
        replay.prioritized_table('prioritized_chunk1', 1_000_000, signature=signature),
        replay.uniform_table('uniform_chunk1', 1_000_000, signature=signature),
    ], port=None)
    address = f'localhost:{server.port}'
    client = reverb.Client(address)
    write_rates = {
        'auto_tuned_chunks': fill(client, ['prioritized_auto', 'uniform_auto'],
                                  args.items, None),
        'one_step_chunks': fill(client, ['prioritized_chunk1', 'uniform_chunk1'],
                                args.items, 1)}
    sizes = {k: v.current_size for k, v in client.server_info().items()}
    print(f'table sizes {sizes}; adder writes (items/s per table): '
          + ', '.join(f'{k} {v:.0f}' for k, v in write_rates.items()), flush=True)

    def dataset(table, **kwargs):
        return lambda: replay.make_reverb_dataset(
            address, batch_size=BATCH_SIZE, prefetch_size=4, table=table, **kwargs)

    variants = {
        'prioritized, auto chunks, 2 streams (before)': dataset('prioritized_auto'),
        'uniform, auto chunks, 2 streams': dataset('uniform_auto'),
        'prioritized, 1-step chunks, 1 stream': dataset('prioritized_chunk1',
                                                         num_parallel_calls=1),
        'prioritized, 1-step chunks, 2 streams (after)': dataset('prioritized_chunk1'),
        'prioritized, 1-step chunks, 3 streams': dataset('prioritized_chunk1',
                                                          num_parallel_calls=3),
        'uniform, 1-step chunks, 2 streams': dataset('uniform_chunk1'),
    }
    runs = {name: [] for name in variants}
    for _ in range(args.repeats):
        for name, make in variants.items():
            runs[name].append(measure(make, args.batches))
    results = {}
    for name, rs in runs.items():
        rate = statistics.median(r['batches_per_second'] for r in rs)
        cpu = statistics.median(r['cpu_ms_per_batch'] for r in rs)
        results[name] = {'batches_per_second': rate,
                         'items_per_second': rate * BATCH_SIZE,
                         'cpu_ms_per_batch': cpu,
                         'runs_batches_per_second': [r['batches_per_second'] for r in rs]}
        print(f'{name:48s} {rate:6.0f} batches/s {rate * BATCH_SIZE:8.0f} items/s '
              f'{cpu:5.2f} ms CPU/batch', flush=True)
    before = results['prioritized, auto chunks, 2 streams (before)']
    after = results['prioritized, 1-step chunks, 2 streams (after)']
    print(f"after/before: {after['batches_per_second'] / before['batches_per_second']:.2f}x "
          f"batches/s, {after['cpu_ms_per_batch'] / before['cpu_ms_per_batch']:.2f}x CPU "
          f"per batch", flush=True)
    server.stop()
    print('wrote', common.write_results('replay_sampling', {
        'config': {'items': args.items, 'batch_size': BATCH_SIZE, 'n_step': N_STEP,
                   'batches_per_run': args.batches, 'repeats': args.repeats},
        'table_sizes': sizes, 'adder_items_per_second': write_rates,
        'sampling': results}))


if __name__ == '__main__':
    main()
