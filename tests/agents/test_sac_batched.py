"""SAC acting on a BatchedEnvironment: one policy call per batch step with an
action sampled per copy, the schedule in env steps of all copies, one n-step
trajectory per copy in replay, and a short N-copy Pendulum run that a broken
batched path (actions or transitions crossed between copies) cannot pass."""

import numpy as np
import pytest
import reverb
import tensorflow as tf

import troupe
from troupe import environments
from troupe.agents import sac
from troupe.agents.agent import num_learner_steps_between
from troupe.components import counting, loggers
from troupe.environments import BatchedEnvironment


def _sac(spec, num_envs, **kwargs):
    tf.random.set_seed(0)
    nets = sac.make_networks(spec, (16, 16), (16, 16))
    settings = dict(batch_size=16, min_replay_size=30, samples_per_insert=16.0,
                    n_step=2, checkpoint=False, logger=loggers.NoOpLogger(), seed=0,
                    num_envs=num_envs)
    settings.update(kwargs)
    return sac.SAC(spec, nets.policy, nets.critics, **settings)


def test_sac_acts_and_learns_on_a_batch_of_pendulums():
    env = BatchedEnvironment('pendulum', 3, seed=0)
    spec = troupe.make_environment_spec(env)
    agent = _sac(spec, num_envs=3)
    try:
        assert agent.num_envs == 3
        log = loggers.InMemoryLogger()
        loop = troupe.EnvironmentLoop(env, agent, counter=counting.Counter(),
                                      logger=log)
        # Pendulum episodes last 200 steps: 30 batch steps are 90 env steps.
        assert loop.run(num_steps=90) == 90
        assert agent.num_observations == 90 and log.data == []
        # One update per env step (16 / 16) from the 30th env step on.
        assert agent.learner.num_updates == 61
        assert loop.run(num_steps=30) == 30
        assert agent.learner.num_updates == num_learner_steps_between(0, 120, 30, 1)
        # An n-step adder writes one item per step (the shorter transitions
        # from the start included): 40 per copy, each copy its own.
        info = reverb.Client(agent.server_address).server_info()
        assert sum(table.current_size for table in info.values()) == 3 * 40

        # One call for the batch, the policy sampled independently per copy.
        same = np.repeat(env.reset().observation[:1], 3, axis=0)
        actions = agent.select_action(same)
        assert actions.shape == (3, 1) and actions.dtype == np.float32
        assert np.all(np.abs(actions) <= 2.0)
        assert len(np.unique(actions)) == 3
        # The evaluation actor is deterministic: equal rows, equal actions, and
        # those of the single-environment evaluation actor.
        greedy = agent.make_evaluation_actor(batched=True).select_action(same)
        assert greedy.shape == (3, 1)
        np.testing.assert_array_equal(greedy, np.repeat(greedy[:1], 3, axis=0))
        single = agent.make_evaluation_actor().select_action(same[0])
        np.testing.assert_allclose(single, greedy[0], rtol=1e-5, atol=1e-6)
    finally:
        agent.close()
        env.close()


def test_bad_num_envs_raises():
    spec = troupe.make_environment_spec(environments.make('pendulum', seed=0))
    with pytest.raises(ValueError, match='num_envs must be an integer >= 1, got 0'):
        _sac(spec, num_envs=0)


def test_learns_pendulum_beyond_random_with_four_copies():
    """Random play scores about -1200 on Pendulum. With four copies and the
    schedule of the single-environment test (one update of 64 per env step
    after 500), SAC must do far better within 7,000 env steps; actions or
    transitions handed to the wrong copy leave it near random."""
    env = BatchedEnvironment('pendulum', 4, seed=0)
    spec = troupe.make_environment_spec(env)
    tf.random.set_seed(0)
    nets = sac.make_networks(spec, (64, 64), (64, 64))
    agent = sac.SAC(spec, nets.policy, nets.critics, learning_rate=1e-3,
                    batch_size=64, samples_per_insert=64.0, min_replay_size=500,
                    checkpoint=False, logger=loggers.NoOpLogger(), seed=0,
                    num_envs=4)
    try:
        loop = troupe.EnvironmentLoop(env, agent, logger=loggers.NoOpLogger())
        loop.run(num_steps=7000)
        assert agent.num_observations >= 7000
        eval_loop = troupe.EnvironmentLoop(
            environments.make('pendulum', seed=100), agent.make_evaluation_actor(),
            should_update=False, logger=loggers.NoOpLogger())
        returns = [eval_loop.run_episode()['episode_return'] for _ in range(5)]
    finally:
        agent.close()
        env.close()
    assert np.mean(returns) > -500, returns
