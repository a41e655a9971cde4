"""make_reverb_dataset: a tf.data pipeline of batches sampled from a Reverb table."""

from typing import Callable, Optional

import reverb
import tensorflow as tf

from troupe.components.replay.tables import DEFAULT_PRIORITY_TABLE

Postprocess = Callable[[reverb.ReplaySample], reverb.ReplaySample]


def _check_table(server_address: str, table: str) -> None:
    """Fails early, naming the known tables, if `table` is not on the server."""
    info = reverb.Client(server_address).server_info(timeout=30)
    if table not in info:
        raise ValueError(f'Reverb server at {server_address} has no table {table!r}; '
                         f'its tables are {sorted(info)}.')
    if info[table].signature is None:
        raise ValueError(
            f'Table {table!r} has no signature; create it with the adder\'s '
            f'signature, e.g. signature=NStepTransitionAdder.signature(env_spec).')


def make_reverb_dataset(server_address: str,
                        batch_size: Optional[int] = None,
                        prefetch_size: Optional[int] = None,
                        table: str = DEFAULT_PRIORITY_TABLE,
                        num_parallel_calls: int = 2,
                        max_in_flight_samples_per_worker: Optional[int] = None,
                        postprocess: Optional[Postprocess] = None,
                        rate_limiter_timeout_ms: int = -1) -> tf.data.Dataset:
    """Returns a dataset of `reverb.ReplaySample(info, data)` from `table`.

    Args:
      server_address: 'host:port' of the Reverb server.
      batch_size: if given, samples are batched (dropping the remainder).
      prefetch_size: batches to prefetch; None lets tf.data tune it (AUTOTUNE).
      table: the table to sample from (must exist and have a signature).
      num_parallel_calls: parallel sampling streams, interleaved.
      max_in_flight_samples_per_worker: samples requested ahead per stream;
        defaults to 2 * batch_size (or 100 without batching).
      postprocess: an optional function applied to each sample before batching.
      rate_limiter_timeout_ms: how long a sample may wait for the table's rate
        limiter (e.g. an empty queue); -1 waits forever. A timed-out wait ends the
        dataset for good (samples it already took from a queue are lost).
        Caveats of waiting forever: dropping an iterator whose prefetch waits on an
        empty table blocks unless the server was stopped first, and a thread
        blocked in `next()` is not released by stopping an in-process server. So
        on-policy (queue) pipelines should only ask for a batch when one is in the
        table, and stop the server before dropping their iterators.
    """
    if batch_size is not None and batch_size < 1:
        raise ValueError(f'batch_size must be >= 1 or None, got {batch_size}.')
    if num_parallel_calls < 1:
        raise ValueError(f'num_parallel_calls must be >= 1, got {num_parallel_calls}.')
    _check_table(server_address, table)
    if max_in_flight_samples_per_worker is None:
        max_in_flight_samples_per_worker = 2 * batch_size if batch_size else 100

    def _make_dataset(unused_index: tf.Tensor) -> tf.data.Dataset:
        dataset = reverb.TrajectoryDataset.from_table_signature(
            server_address=server_address,
            table=table,
            max_in_flight_samples_per_worker=max_in_flight_samples_per_worker,
            rate_limiter_timeout_ms=rate_limiter_timeout_ms)
        if postprocess is not None:
            dataset = dataset.map(postprocess)
        if batch_size:
            dataset = dataset.batch(batch_size, drop_remainder=True)
        return dataset

    if num_parallel_calls == 1:
        dataset = _make_dataset(tf.constant(0, tf.int64))
    else:
        dataset = tf.data.Dataset.range(num_parallel_calls).interleave(
            _make_dataset,
            cycle_length=num_parallel_calls,
            num_parallel_calls=num_parallel_calls,
            deterministic=False)
    return dataset.prefetch(prefetch_size if prefetch_size else tf.data.AUTOTUNE)
