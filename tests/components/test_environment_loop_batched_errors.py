"""EnvironmentLoop refuses an actor built for one environment on a
BatchedEnvironment, and a batched actor on a single environment, with errors
that name what was given and what to do; actors that do not say how they act
are checked on their first batch of actions."""

import re

import numpy as np
import pytest
import sonnet as snt
import tensorflow as tf

import troupe
from troupe import environments
from troupe.agents import dqn, sac
from troupe.components import actors, loggers
from troupe.components.environment_loop import actor_batching
from troupe.environments import BatchedEnvironment


class ArgmaxPolicy(snt.Module):
    """CartPole observations [B, 4] -> actions [B]: 1 when the pole leans right."""

    def __call__(self, observations):
        return tf.cast(observations[:, 2] > 0, tf.int32)


class TwoStateCore(snt.RNNCore):
    def __call__(self, observations, state):
        return tf.zeros([tf.shape(observations)[0]], tf.int32), state

    def initial_state(self, batch_size, **unused):
        return tf.zeros([batch_size, 1])


class SingleActionActor(troupe.Actor):
    """Says nothing about batching and always returns one action."""

    def select_action(self, observation):
        return np.int32(0)

    def observe_first(self, timestep):
        pass

    def observe(self, action, next_timestep):
        pass

    def update(self, wait=False):
        pass


class FailingActor(SingleActionActor):
    """Says nothing about batching and cannot take a batch."""

    def select_action(self, observation):
        if np.ndim(observation) != 1:
            raise RuntimeError(f'expected one observation, got {np.shape(observation)}')
        return np.int32(0)


class RowActor(SingleActionActor):
    """Says nothing about batching and acts per row of a batch."""

    def select_action(self, observations):
        return (observations[:, 2] > 0).astype(np.int32)


def _loop(environment, actor):
    return troupe.EnvironmentLoop(environment, actor, logger=loggers.NoOpLogger())


def test_single_environment_actor_on_a_batch_is_refused():
    env = BatchedEnvironment('cartpole', 3, seed=0)
    actor = actors.FeedForwardActor(ArgmaxPolicy())
    with pytest.raises(ValueError, match=re.escape(
            'EnvironmentLoop got a BatchedEnvironment of 3 copies but the actor '
            'FeedForwardActor (batched=False) acts on one environment at a time.')
    ) as info:
        _loop(env, actor)
    message = str(info.value)
    assert 'an agent built with num_envs=3' in message
    assert 'FeedForwardActor(..., batched=True)' in message
    assert 'RandomActor(..., num_envs=3)' in message
    # A recurrent actor always acts on one environment.
    with pytest.raises(ValueError, match=r'the actor RecurrentActor \(batched=False\) acts on one '
                                         r'environment at a time'):
        _loop(env, actors.RecurrentActor(TwoStateCore()))


def test_agent_built_without_num_envs_on_a_batch_is_refused():
    single = environments.make('cartpole', seed=0)
    spec = troupe.make_environment_spec(single)
    agent = dqn.DQN(spec, dqn.make_mlp_network(spec, (8,)), min_replay_size=10,
                    batch_size=8, checkpoint=False, logger=loggers.NoOpLogger())
    try:
        assert actor_batching(agent) is False
        with pytest.raises(ValueError, match=re.escape(
                'BatchedEnvironment of 4 copies but the actor DQN (an agent built '
                'without num_envs) acts on one environment at a time. Give it an '
                'actor that acts on the batch (one [4, ...] call per step): an '
                'agent built with num_envs=4')):
            _loop(BatchedEnvironment('cartpole', 4, seed=0), agent)
        _loop(single, agent).run(num_steps=5)  # The right environment still runs.
    finally:
        agent.close()


def test_batched_actor_on_a_single_environment_is_refused():
    env = environments.make('cartpole', seed=0)
    actor = actors.FeedForwardActor(ArgmaxPolicy(), batched=True)
    with pytest.raises(ValueError, match=re.escape(
            'EnvironmentLoop got a single environment (CartPole) but the actor '
            'FeedForwardActor (batched=True) acts on batches of observations from a '
            'troupe.environments.BatchedEnvironment.')) as info:
        _loop(env, actor)
    assert 'BatchedEnvironment(name, num_envs=N)' in str(info.value)
    assert 'num_envs=None, batched=False' in str(info.value)


def test_batched_agent_on_a_single_environment_is_refused():
    batch = BatchedEnvironment('pendulum', 3, seed=0)
    spec = troupe.make_environment_spec(batch)
    nets = sac.make_networks(spec, (8,), (8,))
    agent = sac.SAC(spec, nets.policy, nets.critics, checkpoint=False,
                    logger=loggers.NoOpLogger(), num_envs=3)
    try:
        assert actor_batching(agent) is True
        with pytest.raises(ValueError, match=re.escape(
                'single environment (Pendulum) but the actor SAC (an agent built '
                'with num_envs=3) acts on batches')):
            _loop(environments.make('pendulum', seed=0), agent)
        assert _loop(batch, agent).run(num_steps=6) == 6
    finally:
        agent.close()


def test_actor_that_does_not_say_is_checked_on_its_first_batch_of_actions():
    env = BatchedEnvironment('cartpole', 3, seed=0)
    assert actor_batching(SingleActionActor()) is None
    with pytest.raises(ValueError, match=re.escape(
            'EnvironmentLoop steps a BatchedEnvironment of 3 copies: the actor gets '
            '[3, ...] observations and must return one action per copy, with a '
            'leading axis of 3')) as info:
        _loop(env, SingleActionActor()).run(num_steps=3)
    assert str(info.value).endswith(
        'the actor SingleActionActor returned an action of shape ().')

    with pytest.raises(ValueError, match=r'the actor FailingActor failed on the '
                                         r'batch: RuntimeError: expected one '
                                         r'observation, got \(3, 4\)') as info:
        _loop(env, FailingActor()).run(num_steps=3)
    assert isinstance(info.value.__cause__, RuntimeError)

    # A RandomActor built for one environment says so: refused. The same actor
    # built for 3 copies, and a per-row actor, run.
    with pytest.raises(ValueError, match=r'the actor RandomActor \(batched=False\) '
                                         r'acts on one environment at a time'):
        _loop(env, actors.RandomActor(env.action_spec(), seed=0)).run(num_steps=3)
    random = actors.RandomActor(env.action_spec(), seed=0, num_envs=3)
    assert _loop(env, random).run(num_steps=30) == 30
    assert _loop(BatchedEnvironment('cartpole', 3, seed=0), RowActor()).run(
        num_steps=30) == 30
