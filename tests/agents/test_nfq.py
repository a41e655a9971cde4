"""NFQ: the exact update, bad input, and reaching the goal of the simple grid."""

import numpy as np
import pytest
import reverb
import sonnet as snt
import tensorflow as tf

import troupe
from troupe import environments, types
from troupe.agents import dqn, nfq
from troupe.components import loggers
from troupe.environments import ObservationType


class _FixedInit(snt.initializers.Initializer):
    def __init__(self, value):
        self._value = np.array(value, np.float32)

    def __call__(self, shape, dtype):
        return tf.constant(self._value, dtype)


def _dataset():
    info = reverb.SampleInfo(
        key=tf.constant(np.arange(2, dtype=np.uint64)),
        probability=tf.constant([0.5, 0.5], tf.float64),
        table_size=tf.constant([2, 2], tf.int64), priority=tf.ones([2], tf.float64),
        times_sampled=tf.ones([2], tf.int32))
    data = types.Transition(
        observation=tf.constant([[1.], [2.]]), action=tf.constant([0, 1], tf.int64),
        reward=tf.constant([1., 0.]), discount=tf.constant([1., 0.]),
        next_observation=tf.constant([[1.], [1.]]), extras=())
    return tf.data.Dataset.from_tensors(reverb.ReplaySample(info, data)).repeat()


def test_one_update_matches_hand_computation():
    # W = [1, 2]: Q(s, a) = [1, 4]; next state 1 has max Q = 2.
    # Targets (g = 0.5): 1 + 0.5 * 2 = 2 and 0; TD errors [1, -4].
    # Loss = mean(td^2 / 2) = (0.5 + 8) / 2 = 4.25; dL/dW = [-1 / 2, 4 * 2 / 2].
    # SGD(0.1): W = [1 + 0.05, 2 - 0.4].
    network = snt.Linear(2, with_bias=False, w_init=_FixedInit([[1., 2.]]))
    log = loggers.InMemoryLogger()
    learner = nfq.NFQLearner(network, _dataset(), discount=0.5,
                             optimizer=snt.optimizers.SGD(0.1), logger=log)
    learner.step()
    assert log.data[-1]['loss'] == pytest.approx(4.25)
    np.testing.assert_allclose(network.w.numpy(), [[1.05, 1.6]], rtol=1e-6)


def _grid(seed):
    return environments.make('gridworld/simple',
                             observation_type=ObservationType.AGENT_GOAL_POS, seed=seed)


def test_greedy_policy_reaches_the_goal_after_training():
    tf.random.set_seed(0)
    env = _grid(0)
    spec = troupe.make_environment_spec(env)
    network = snt.nets.MLP([50, 50, spec.actions.num_values])
    agent = nfq.NFQ(spec, network, logger=loggers.NoOpLogger())
    loop = troupe.EnvironmentLoop(env, agent, logger=loggers.NoOpLogger())
    evaluator = troupe.EnvironmentLoop(
        _grid(1), dqn.builder.make_evaluation_actor(network, spec),
        should_update=False, logger=loggers.NoOpLogger())
    # The goal pays +10 and ends the episode; an untrained (or broken) greedy
    # policy bumps into walls until the 200-step limit. Replay sampling is not
    # seeded, so training runs until the greedy policy succeeds (usually within
    # 30-60 episodes), up to 150.
    result = None
    try:
        for _ in range(15):
            loop.run(num_episodes=10)
            result = evaluator.run_episode()
            if result['episode_return'] == 10.0:
                break
    finally:
        agent.close()
    assert result['episode_return'] == 10.0
    assert result['episode_length'] < 20


@pytest.mark.parametrize('kwargs, message', [
    (dict(epsilon=-0.5), r'epsilon must be in \[0, 1\], got -0.5'),
    (dict(batch_size=0), r'batch_size must be an integer >= 1, got 0'),
    (dict(discount=2.0), r'discount must be in \[0, 1\], got 2.0'),
])
def test_bad_hyperparameters_are_named(kwargs, message):
    spec = troupe.make_environment_spec(_grid(0))
    with pytest.raises(ValueError, match=message):
        nfq.NFQ(spec, snt.nets.MLP([4]), **kwargs)


def test_continuous_actions_are_rejected():
    spec = troupe.make_environment_spec(environments.make('pendulum', seed=0))
    with pytest.raises(ValueError, match=r'NFQ needs a discrete action spec'):
        nfq.NFQ(spec, snt.nets.MLP([4]))
