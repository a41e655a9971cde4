"""Placement on a real logical device, and behaviour cloning end to end.

conftest.py splits the CPU into '/CPU:0' and '/CPU:1' before TensorFlow starts.
"""

import dm_env
import numpy as np
import pytest
import reverb
import sonnet as snt
import tensorflow as tf
from dm_env import specs as dm_specs

import troupe
from troupe.agents import bc
from troupe.components import actors, adders, counting, devices, loggers, replay
from troupe.components.variables import VariableClient

OBS_SPEC = dm_specs.Array((2,), np.float32)
ACTION_SPEC = dm_specs.DiscreteArray(2)


def expert(observation):
    """The demonstrator: action 1 when x > y, else 0."""
    return np.int32(observation[0] > observation[1])


class PointEnvironment(dm_env.Environment):
    """Random points in [-1, 1]^2, ten per episode."""

    def __init__(self, seed):
        self._rng = np.random.default_rng(seed)
        self._t = 0

    def _obs(self):
        return self._rng.uniform(-1, 1, 2).astype(np.float32)

    def reset(self):
        self._t = 0
        return dm_env.restart(self._obs())

    def step(self, action):
        self._t += 1
        if self._t == 10:
            return dm_env.termination(np.float32(0.), self._obs())
        return dm_env.transition(np.float32(0.), self._obs())

    def observation_spec(self):
        return OBS_SPEC

    def action_spec(self):
        return ACTION_SPEC


class ExpertActor(actors.RandomActor):
    def select_action(self, observation):
        return expert(observation)


def _demonstrations(num_episodes=60):
    env = PointEnvironment(seed=0)
    spec = troupe.make_environment_spec(env)
    table = replay.uniform_table(adders.DEFAULT_PRIORITY_TABLE, 10_000,
                                 signature=adders.NStepTransitionAdder.signature(spec))
    server = reverb.Server([table])
    address = f'localhost:{server.port}'
    adder = adders.NStepTransitionAdder(reverb.Client(address), n_step=1, discount=1.0)
    loop = troupe.EnvironmentLoop(env, ExpertActor(ACTION_SPEC, adder=adder),
                                  logger=loggers.InMemoryLogger())
    loop.run(num_episodes=num_episodes)
    return server, address


def _network():
    return snt.nets.MLP([32, 2])


def test_select_device_defaults_to_cpu_without_gpu_and_checks_names():
    assert not tf.config.list_logical_devices('GPU')
    assert devices.select_device(None) == '/CPU:0'
    assert devices.select_device('/cpu:1') == '/CPU:1'
    with pytest.raises(ValueError, match=r"'/GPU:3' is not available; TensorFlow sees"):
        devices.select_device('/GPU:3')


def test_learner_variables_and_update_ops_on_requested_device():
    server, address = _demonstrations(num_episodes=5)
    try:
        network = _network()
        dataset = replay.make_reverb_dataset(address, batch_size=16)
        learner = bc.BCLearner(network, dataset, device='/CPU:1',
                               logger=loggers.InMemoryLogger())
        learner.step()
        variables = network.variables + tuple(learner._optimizer.variables)
        assert variables and all(v.device.endswith('CPU:1') for v in variables), (
            [v.device for v in variables])
        # The compiled SGD step is called on '/CPU:1'; its ops pin no other
        # device, so they run where the call is placed.
        graph = learner._update.get_concrete_function().graph
        calls = [op for op in graph.get_operations()
                 if op.type == 'StatefulPartitionedCall']
        assert calls and all(op.device.endswith('CPU:1') for op in calls), (
            [op.device for op in calls])
        step_graph = learner._sgd_step.get_concrete_function(learner.element_spec).graph
        math_ops = [op for op in step_graph.get_operations() if op.type == 'MatMul']
        assert math_ops and all(op.device in ('', '/device:CPU:1') for op in math_ops)
        assert learner.device == '/CPU:1'
        assert learner.num_updates == 1
    finally:
        server.stop()


def test_behaviour_cloning_end_to_end_through_reverb_and_variable_client():
    server, address = _demonstrations()
    try:
        tf.random.set_seed(0)
        learner_net = _network()
        log = loggers.InMemoryLogger()
        learner = bc.BCLearner(learner_net, replay.make_reverb_dataset(
            address, batch_size=64), learning_rate=1e-2, logger=log)
        learner.run(num_steps=300)
        assert log.data[-1]['steps'] == 300
        assert log.data[-1]['loss'] < 0.25 * log.data[0]['loss']

        actor_net = _network()
        troupe.components.utils.create_variables(actor_net, [OBS_SPEC])
        client = VariableClient(learner, {'policy': actor_net.trainable_variables})
        client.update_and_wait()
        actor = actors.FeedForwardActor(
            lambda x: tf.argmax(actor_net(x), axis=-1, output_type=tf.int32),
            variable_client=client)
        rng = np.random.default_rng(1)
        points = rng.uniform(-1, 1, (300, 2)).astype(np.float32)
        agreement = np.mean([actor.select_action(p) == expert(p) for p in points])
        assert agreement > 0.95, agreement
    finally:
        server.stop()


def test_learner_checkpoint_resumes_weights_and_counts(tmp_path):
    server, address = _demonstrations(num_episodes=5)
    try:
        def make_learner():
            return bc.BCLearner(_network(), replay.make_reverb_dataset(address, batch_size=8),
                                checkpoint=True, directory=str(tmp_path),
                                counter=counting.Counter(), logger=loggers.InMemoryLogger())
        first = make_learner()
        first.run(num_steps=7)
        first._recorder.checkpointer.save(force=True)
        weights = first.get_variables(['policy'])[0]

        resumed = make_learner()  # Restores the latest checkpoint on construction.
        for saved, restored in zip(weights, resumed.get_variables(['policy'])[0]):
            np.testing.assert_array_equal(saved, restored)
        assert resumed._counter.get_counts()['steps'] == 7
        assert resumed.num_updates == 7
        resumed.step()
        assert resumed._counter.get_counts()['steps'] == 8
        assert resumed.num_updates == 8
    finally:
        server.stop()


def test_several_updates_per_call_each_on_a_fresh_batch():
    server, address = _demonstrations(num_episodes=5)
    try:
        log = loggers.InMemoryLogger()
        learner = bc.BCLearner(_network(), replay.make_reverb_dataset(address, batch_size=8),
                               logger=log, updates_per_call=3)
        learner.step()
        learner.step()
        assert learner.num_updates == 6
        assert [row['steps'] for row in log.data] == [3, 6]
        assert set(learner.state) == {'network', 'optimizer', 'num_steps', 'counter'}
    finally:
        server.stop()


def test_updates_of_a_call_cut_short_are_still_counted():
    """A call whose sample fails part-way (here the dataset ends; in a
    distributed run the replay server stops) keeps the updates it applied, and
    the counter counts them, so its steps equal `num_updates`."""
    server, address = _demonstrations(num_episodes=5)
    try:
        counter = counting.Counter()
        learner = bc.BCLearner(
            _network(), replay.make_reverb_dataset(address, batch_size=8).take(5),
            counter=counter, logger=loggers.InMemoryLogger(), updates_per_call=3)
        learner.step()
        with pytest.raises(tf.errors.OutOfRangeError):
            learner.step()  # Two batches left for three updates.
        assert learner.num_updates == 5
        assert counter.get_counts()['steps'] == 5
    finally:
        server.stop()


def test_bad_learning_rate_is_named():
    server, address = _demonstrations(num_episodes=1)
    try:
        with pytest.raises(ValueError, match=r'^learning_rate must be > 0, got -1.0\.$'):
            bc.BCLearner(_network(), replay.make_reverb_dataset(address, batch_size=8),
                         learning_rate=-1.0, logger=loggers.InMemoryLogger())
    finally:
        server.stop()
