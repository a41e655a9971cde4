"""Whole-run checkpoints: a real Reverb server and real TF variables."""

import json
import os

import numpy as np
import pytest
import reverb
import tensorflow as tf

from troupe import core
from troupe.components import run_checkpoints


class _Count(core.Saveable):
    def __init__(self):
        self.value = 0

    def save(self):
        return {'value': self.value}

    def restore(self, state):
        self.value = state['value']


def _table():
    return reverb.Table('t', reverb.selectors.Prioritized(1.0), reverb.selectors.Fifo(),
                        max_size=1000, rate_limiter=reverb.rate_limiters.MinSize(1))


def _insert(client, priorities):
    with client.trajectory_writer(1) as writer:
        for priority in priorities:
            writer.append({'x': np.float32(priority)})
            writer.create_item('t', priority=float(priority),
                               trajectory={'x': writer.history['x'][-1:]})
        writer.flush()


def _server(directory, checkpoint=None):
    return reverb.Server([_table()], port=None,
                         checkpointer=run_checkpoints.replay_checkpointer(directory,
                                                                          checkpoint))


def test_save_then_restore_gives_back_replay_variables_and_saveables(tmp_path):
    directory = str(tmp_path / 'run')
    server = _server(directory)
    client = reverb.Client(f'localhost:{server.port}')
    _insert(client, [1.0, 2.0, 3.0])
    weights, count = tf.Variable([1.0, 2.0]), _Count()
    count.value = 7
    checkpointer = run_checkpoints.RunCheckpointer(
        directory, {'weights': weights, 'count': count}, replay_client=client)
    saved = checkpointer.save({'csv_rows': {'actor': 4}})
    _insert(client, [9.0])            # After the checkpoint: must not come back.
    weights.assign([5.0, 5.0])
    count.value = 99
    server.stop()

    found = run_checkpoints.latest(directory)
    assert found.path == saved.path and found.metadata == {'csv_rows': {'actor': 4}}
    assert found.replay_sizes == {'t': 3}
    server = _server(directory, found)
    client = reverb.Client(f'localhost:{server.port}')
    try:
        info = client.server_info()['t']
        assert info.current_size == 3
        assert info.rate_limiter_info.insert_stats.completed == 3
        values = {float(s[0].data[0]) for s in client.sample('t', num_samples=50)}
        assert values == {1.0, 2.0, 3.0}
        run_checkpoints.RunCheckpointer(
            directory, {'weights': weights, 'count': count}).restore(found)
        np.testing.assert_array_equal(weights.numpy(), [1.0, 2.0])
        assert count.value == 7
    finally:
        server.stop()


def test_keeps_the_newest_and_skips_a_corrupt_latest(tmp_path, caplog):
    directory = str(tmp_path / 'run')
    count = _Count()
    checkpointer = run_checkpoints.RunCheckpointer(directory, {'count': count}, keep=2)
    for value in (1, 2, 3):
        count.value = value
        checkpointer.save({'value': value})
    assert sorted(os.listdir(directory)) == ['2', '3']
    # Truncate the newest one's state: it is reported and the one before used.
    data = [name for name in os.listdir(os.path.join(directory, '3'))
            if name.startswith('state.data')][0]
    with open(os.path.join(directory, '3', data), 'r+b') as file:
        file.truncate(3)
    found = checkpointer.latest()
    assert found.number == 2 and found.metadata == {'value': 2}
    assert 'unusable' in caplog.text and data in caplog.text
    checkpointer.restore(found)
    assert count.value == 2


def test_a_save_killed_half_way_leaves_the_previous_one(tmp_path, monkeypatch):
    directory = str(tmp_path / 'run')
    count = _Count()
    checkpointer = run_checkpoints.RunCheckpointer(directory, {'count': count})
    count.value = 1
    checkpointer.save()

    def killed(*args):
        raise KeyboardInterrupt('killed while writing the manifest')

    monkeypatch.setattr(run_checkpoints, '_write_synced', killed)
    count.value = 2
    with pytest.raises(KeyboardInterrupt):
        checkpointer.save()
    assert sorted(os.listdir(directory)) == ['.incomplete-2', '1']
    assert checkpointer.latest().number == 1
    monkeypatch.undo()
    checkpointer.save()               # The next save clears the leftover.
    assert sorted(os.listdir(directory)) == ['1', '2']


def test_a_checkpoint_of_another_version_is_refused_by_name(tmp_path, caplog):
    directory = str(tmp_path / 'run')
    checkpointer = run_checkpoints.RunCheckpointer(directory, {'count': _Count()})
    saved = checkpointer.save()
    path = os.path.join(saved.path, run_checkpoints.MANIFEST)
    manifest = json.load(open(path))
    manifest['format_version'] = 99
    json.dump(manifest, open(path, 'w'))
    assert checkpointer.latest() is None
    assert 'format version 99' in caplog.text


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(ValueError, match='keep must be an integer >= 1, got 0'):
        run_checkpoints.RunCheckpointer(str(tmp_path), {}, keep=0)
    with pytest.raises(ValueError, match='period_seconds must be > 0, got -1'):
        run_checkpoints.RunCheckpointer(str(tmp_path), {}, period_seconds=-1)
