"""Tests of troupe.components.savers: checkpoint round trips, plain-TF snapshots."""

import json
import os
import subprocess
import sys
import textwrap

from dm_env import specs
import numpy as np
import pytest
import sonnet as snt
import tensorflow as tf

from troupe.components import counting
from troupe.components import loggers
from troupe.components import savers
from troupe.components import utils as tf2_utils

OBSERVATION_SPEC = specs.Array((3,), np.float32)


def _mlp(seed=0):
    """An MLP built on 3-dim observations, with seed-dependent weights."""
    network = snt.nets.MLP([4, 2], w_init=snt.initializers.RandomNormal(seed=seed),
                           b_init=snt.initializers.RandomNormal(seed=seed + 1))
    tf2_utils.create_variables(network, [OBSERVATION_SPEC])
    return network


def _values(module):
    return [v.numpy() for v in module.variables]


def _adam_step(network, optimizer):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(network(tf.ones([2, 3])) ** 2)
    optimizer.apply(tape.gradient(loss, network.trainable_variables),
                    network.trainable_variables)


def _training_state(seed=0):
    network = _mlp(seed)
    optimizer = snt.optimizers.Adam(1e-2)
    counter = counting.Counter()
    return network, optimizer, counter


def _checkpointer(tmp_path, network, optimizer, counter, **kwargs):
    return savers.Checkpointer(
        {'network': network, 'optimizer': optimizer, 'counter': counter},
        directory=tmp_path, subdirectory='learner', add_uid=False, **kwargs)


def test_checkpoint_round_trip(tmp_path):
    network, optimizer, counter = _training_state()
    _adam_step(network, optimizer)
    counter.increment(steps=7, time=0.25)
    checkpointer = _checkpointer(tmp_path, network, optimizer, counter)
    assert checkpointer.directory == os.path.join(tmp_path, 'checkpoints', 'learner')
    assert checkpointer.save(force=True)
    saved_network, saved_moments = _values(network), [m.numpy() for m in optimizer.m]

    for variable in network.variables:
        variable.assign(tf.zeros_like(variable))
    _adam_step(network, optimizer)
    _adam_step(network, optimizer)
    counter.increment(steps=100)
    assert int(optimizer.step.numpy()) == 3

    assert checkpointer.restore()
    for restored, saved in zip(_values(network), saved_network):
        np.testing.assert_array_equal(restored, saved)
    for restored, saved in zip(optimizer.m, saved_moments):
        np.testing.assert_array_equal(restored.numpy(), saved)
    assert int(optimizer.step.numpy()) == 1
    assert counter.get_counts() == {'steps': 7, 'time': 0.25}


def test_construction_restores_latest_checkpoint(tmp_path):
    network, optimizer, counter = _training_state(seed=0)
    _adam_step(network, optimizer)
    counter.increment(steps=3)
    _checkpointer(tmp_path, network, optimizer, counter).save()

    other_network, other_optimizer, other_counter = _training_state(seed=5)
    assert not np.array_equal(_values(other_network)[0], _values(network)[0])
    _checkpointer(tmp_path, other_network, other_optimizer, other_counter)
    for restored, saved in zip(_values(other_network), _values(network)):
        np.testing.assert_array_equal(restored, saved)
    assert int(other_optimizer.step.numpy()) == 1
    assert other_counter.get_counts() == {'steps': 3}


def test_variables_built_after_construction_are_restored(tmp_path):
    network, optimizer, counter = _training_state()
    _adam_step(network, optimizer)
    _checkpointer(tmp_path, network, optimizer, counter).save()

    unbuilt = snt.nets.MLP([4, 2])
    fresh_optimizer = snt.optimizers.Adam(1e-2)
    _checkpointer(tmp_path, unbuilt, fresh_optimizer, counting.Counter())
    tf2_utils.create_variables(unbuilt, [OBSERVATION_SPEC])
    for restored, saved in zip(_values(unbuilt), _values(network)):
        np.testing.assert_array_equal(restored, saved)


def test_periodic_and_forced_saves(tmp_path):
    checkpointer = savers.Checkpointer(
        {'v': tf.Variable(1.0)}, directory=tmp_path, add_uid=False,
        time_delta_minutes=10.0, max_to_keep=5)
    assert checkpointer.save()  # Never saved: saves.
    assert not checkpointer.save()  # Too soon.
    assert checkpointer.save(force=True)
    state = tf.train.get_checkpoint_state(checkpointer.directory)
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == [
        'ckpt-1', 'ckpt-2']

    every_time = savers.Checkpointer(
        {'v': tf.Variable(1.0)}, directory=tmp_path, subdirectory='other',
        add_uid=False, time_delta_minutes=0.0)
    assert every_time.save() and every_time.save()
    latest = tf.train.latest_checkpoint(every_time.directory)
    assert os.path.basename(latest) == 'ckpt-2'
    assert 'ckpt-1.index' not in os.listdir(every_time.directory)  # max_to_keep=1


def test_default_directory_has_run_id_and_disabled_checkpointer_does_nothing(tmp_path):
    checkpointer = savers.Checkpointer({'v': tf.Variable(1.0)}, directory=tmp_path)
    assert checkpointer.directory == os.path.join(
        tmp_path, loggers.get_unique_id(), 'checkpoints', 'default')
    disabled = savers.Checkpointer({'v': tf.Variable(1.0)}, directory=tmp_path / 'x',
                                   enable_checkpointing=False)
    assert disabled.directory is None
    assert not disabled.save(force=True)
    assert not disabled.restore()
    assert not os.path.exists(tmp_path / 'x')


def test_restore_without_checkpoint_returns_false(tmp_path):
    checkpointer = savers.Checkpointer({'v': tf.Variable(1.0)}, directory=tmp_path)
    assert not checkpointer.restore()


def test_mismatched_checkpoint_is_an_error(tmp_path):
    savers.Checkpointer({'a': tf.Variable(1.0)}, directory=tmp_path,
                        add_uid=False).save()
    with pytest.raises(ValueError, match='ckpt-1.*does not match'):
        savers.Checkpointer({'a': tf.Variable(1.0), 'b': tf.Variable(2.0)},
                            directory=tmp_path, add_uid=False)


def test_non_trackable_object_is_rejected(tmp_path):
    with pytest.raises(TypeError, match="'config'"):
        savers.Checkpointer({'config': object()}, directory=tmp_path)


def test_saveable_state_encoding_round_trips_exactly():
    state = {'counts': {'steps': 3, 'time': 0.1}, 7: (np.float32(0.5), b'\x00\xff'),
             'array': np.arange(6, dtype=np.int16).reshape(2, 3), 'none': None,
             'flags': [True, False], 'big': 2 ** 70, 'nan': float('nan')}
    encoded = savers.encode_state(state)
    decoded = savers.decode_state(json.loads(json.dumps(encoded)))
    assert set(decoded) == set(state)
    assert decoded['counts'] == {'steps': 3, 'time': 0.1}
    assert decoded[7] == (np.float32(0.5), b'\x00\xff')
    assert type(decoded[7][0]) is np.float32
    assert decoded['array'].dtype == np.int16
    np.testing.assert_array_equal(decoded['array'], state['array'])
    assert decoded['none'] is None and decoded['flags'] == [True, False]
    assert decoded['big'] == 2 ** 70 and np.isnan(decoded['nan'])


def test_saveable_state_encoding_rejects_arbitrary_objects():
    with pytest.raises(TypeError, match=r"state\['fn'\].*function"):
        savers.encode_state({'fn': lambda: 0})


# ---------------------------------------------------------------- snapshots


def test_snapshot_loads_in_plain_tensorflow(tmp_path):
    network = _mlp(seed=3)
    snapshotter = savers.Snapshotter({'policy': network}, directory=tmp_path,
                                     add_uid=False)
    assert snapshotter.directory == os.path.join(tmp_path, 'snapshots')
    assert snapshotter.save()
    observations = np.random.RandomState(0).randn(5, 3).astype(np.float32)
    np.save(tmp_path / 'inputs.npy', observations)

    script = textwrap.dedent('''
        import sys
        import numpy as np
        import tensorflow as tf
        loaded = tf.saved_model.load(sys.argv[1])
        outputs = loaded(tf.constant(np.load(sys.argv[2]))).numpy()
        np.save(sys.argv[3], outputs)
        assert not any(name.split('.')[0] in ('troupe', 'sonnet')
                       for name in sys.modules), 'imported troupe or sonnet'
    ''')
    result = subprocess.run(
        [sys.executable, '-c', script, os.path.join(snapshotter.directory, 'policy'),
         str(tmp_path / 'inputs.npy'), str(tmp_path / 'outputs.npy')],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    expected = network(tf.constant(observations)).numpy()
    np.testing.assert_array_equal(np.load(tmp_path / 'outputs.npy'), expected)


def test_snapshot_resave_replaces_previous_and_period(tmp_path):
    network = _mlp()
    snapshotter = savers.Snapshotter({'policy': network}, directory=tmp_path,
                                     add_uid=False, time_delta_minutes=30.0)
    assert snapshotter.save()
    assert not snapshotter.save()
    for variable in network.variables:
        variable.assign(tf.ones_like(variable))
    assert snapshotter.save(force=True)
    assert sorted(os.listdir(snapshotter.directory)) == ['policy']
    loaded = tf.saved_model.load(os.path.join(snapshotter.directory, 'policy'))
    x = tf.constant([[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(loaded(x).numpy(), network(x).numpy())
    np.testing.assert_array_equal(loaded.inference(x).numpy(), network(x).numpy())


def test_snapshot_with_explicit_signature_and_two_arguments(tmp_path):
    class Critic(snt.Module):
        def __init__(self):
            super().__init__(name='critic')
            self._linear = snt.Linear(1, w_init=tf.ones, b_init=tf.zeros)

        def __call__(self, observation, action):
            return self._linear(tf.concat([observation, action], axis=-1))

    critic = Critic()
    signature = [tf.TensorSpec([None, 3], tf.float32),
                 tf.TensorSpec([None, 1], tf.float32)]
    savers.Snapshotter({'critic': critic}, directory=tmp_path, add_uid=False,
                       input_signatures={'critic': signature}).save()
    loaded = tf.saved_model.load(os.path.join(tmp_path, 'snapshots', 'critic'))
    value = loaded(tf.constant([[1.0, 2.0, 3.0]]), tf.constant([[0.5]]))
    np.testing.assert_array_equal(value.numpy(), [[6.5]])


def test_snapshot_of_module_without_signature_names_it(tmp_path):
    with pytest.raises(ValueError, match="'unbuilt_mlp'.*create_variables"):
        savers.Snapshotter({'policy': snt.nets.MLP([2], name='unbuilt_mlp')},
                           directory=tmp_path)
    with pytest.raises(ValueError, match=r"\['other'\]"):
        savers.Snapshotter({'policy': _mlp()}, directory=tmp_path,
                           input_signatures={'other': [OBSERVATION_SPEC]})


def test_make_snapshot_uses_first_layer_signature_of_sequential():
    first = snt.Linear(2, w_init=tf.ones, b_init=tf.zeros)
    tf2_utils.create_variables(first, [OBSERVATION_SPEC])
    sequential = snt.Sequential([first, tf.nn.relu])
    snapshot = savers.make_snapshot(sequential)
    np.testing.assert_array_equal(
        snapshot.inference(tf.constant([[1.0, -4.0, 1.0]])).numpy(), [[0.0, 0.0]])
