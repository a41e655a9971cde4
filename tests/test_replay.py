"""Replay: table factories, rate limiters, make_reverb_dataset, mutate_priorities."""

import numpy as np
import pytest
import reverb
import tensorflow as tf

from troupe.components import replay

SIGNATURE = {'x': tf.TensorSpec((2,), tf.float32)}


def _insert(client, table, values, priority=1.0):
    with client.trajectory_writer(num_keep_alive_refs=1) as writer:
        for v in values:
            writer.append({'x': np.array([v, -v], np.float32)})
            writer.create_item(table, priority, {'x': writer.history['x'][-1]})
        writer.flush()


def test_dataset_batches_queue_items_in_order(reverb_server_factory):
    server = reverb_server_factory([replay.queue_table('q', 10, signature=SIGNATURE)])
    address = f'localhost:{server.port}'
    _insert(reverb.Client(address), 'q', [1., 2., 3., 4.])
    # The timeout lets the prefetch blocked on the emptied queue end the dataset.
    dataset = replay.make_reverb_dataset(address, batch_size=2, table='q',
                                         num_parallel_calls=1,
                                         rate_limiter_timeout_ms=500)
    batches = [b.data['x'].numpy() for b in dataset.take(2)]
    np.testing.assert_array_equal(batches[0], [[1, -1], [2, -2]])
    np.testing.assert_array_equal(batches[1], [[3, -3], [4, -4]])
    assert reverb.Client(address).server_info()['q'].current_size == 0


def test_dataset_for_missing_table_names_known_tables(reverb_server_factory):
    server = reverb_server_factory([replay.uniform_table('replay', 10,
                                                         signature=SIGNATURE)])
    with pytest.raises(ValueError, match=r"no table 'nope'; its tables are \['replay'\]"):
        replay.make_reverb_dataset(f'localhost:{server.port}', table='nope')


def test_dataset_for_table_without_signature(reverb_server_factory):
    server = reverb_server_factory([replay.uniform_table('t', 10)])
    with pytest.raises(ValueError, match="Table 't' has no signature"):
        replay.make_reverb_dataset(f'localhost:{server.port}', table='t')


def test_mutate_priorities_changes_sampling(reverb_server_factory):
    table = replay.prioritized_table('p', 10, priority_exponent=1.0, signature=SIGNATURE)
    server = reverb_server_factory([table])
    client = reverb.Client(f'localhost:{server.port}')
    _insert(client, 'p', [1., 2.])
    keys = [s[0].info.key for s in client.sample('p', num_samples=50)]
    first_key = [s[0].info.key for s in client.sample('p', num_samples=1)][0]
    keys = sorted(set(keys))
    assert len(keys) == 2
    replay.mutate_priorities(client, 'p', keys, [0.0, 5.0])
    samples = [s[0] for s in client.sample('p', num_samples=20)]
    assert {s.info.key for s in samples} == {keys[1]}
    assert {float(s.info.priority) for s in samples} == {5.0}
    assert first_key in keys
    with pytest.raises(ValueError, match='2 keys but 1 priorities'):
        replay.mutate_priorities(client, 'p', keys, [1.0])
    with pytest.raises(ValueError, match='finite and >= 0'):
        replay.mutate_priorities(client, 'p', keys, [1.0, -1.0])


def test_samples_per_insert_limiter_blocks_sampling_until_min_size(reverb_server_factory):
    table = replay.uniform_table('u', 100, min_size=3, samples_per_insert=2.0,
                                 signature=SIGNATURE)
    server = reverb_server_factory([table])
    address = f'localhost:{server.port}'
    client = reverb.Client(address)

    def sample_one():
        dataset = reverb.TrajectoryDataset.from_table_signature(
            address, 'u', max_in_flight_samples_per_worker=1, rate_limiter_timeout_ms=300)
        return next(iter(dataset))

    _insert(client, 'u', [1., 2.])
    with pytest.raises((StopIteration, tf.errors.OutOfRangeError)):
        sample_one()  # Below min_size: the wait times out and the dataset ends.
    _insert(client, 'u', [3.])
    assert sample_one().data['x'].shape == (2,)


@pytest.mark.parametrize('kwargs, message', [
    (dict(samples_per_insert=0), 'samples_per_insert must be > 0, got 0'),
    (dict(samples_per_insert=8, error_buffer=1.0), 'error_buffer must be >= '),
    (dict(samples_per_insert=1, min_size=0), 'min_size must be >= 1, got 0'),
])
def test_limiter_arguments_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        replay.samples_per_insert_limiter(**kwargs)


def test_default_error_buffer_follows_min_size():
    assert replay.default_error_buffer(1000, 32.0) == pytest.approx(3200.0)
    assert replay.default_error_buffer(1, 32.0) == 32.0


@pytest.mark.parametrize('blocking_inserts, samples_after_one_insert', [
    (False, True),    # Single process: one item is enough; the agent paces learning.
    (True, False),    # Separate processes: wait for min_size items.
])
def test_transition_table_blocks_only_when_asked(reverb_server_factory,
                                                 blocking_inserts,
                                                 samples_after_one_insert):
    table = replay.transition_table('t', 100, min_size=3, samples_per_insert=4.0,
                                    signature=SIGNATURE,
                                    blocking_inserts=blocking_inserts,
                                    priority_exponent=0.6)
    server = reverb_server_factory([table])
    address = f'localhost:{server.port}'
    _insert(reverb.Client(address), 't', [1.])
    dataset = reverb.TrajectoryDataset.from_table_signature(
        address, 't', max_in_flight_samples_per_worker=1, rate_limiter_timeout_ms=300)
    sampled = next(iter(dataset), None) is not None
    assert sampled == samples_after_one_insert
