"""TD3: the clipped double-Q critic loss of a hand-made batch, delayed policy and
target updates, clipped target smoothing noise, and a short learning run."""

import copy

import numpy as np
import pytest
import sonnet as snt
import tensorflow as tf

from troupe import specs
from troupe.agents import td3
from troupe.components import loggers
from troupe.environments import make
from tests.agents.test_ddpg import (ACTION_SPEC, SPEC, assert_all_close,
                                    assert_all_equal, assert_some_differ, dataset_of,
                                    make_batch, train_and_evaluate, values)


def _learner(policy_update_period=2, **kwargs):
    nets = td3.make_networks(SPEC, (8,), (8,))
    policy, (critic, twin) = nets.policy, nets.critics
    logger = loggers.InMemoryLogger()
    learner = td3.TD3Learner(
        policy, critic, twin, copy.deepcopy(policy), copy.deepcopy(critic),
        copy.deepcopy(twin), dataset_of(make_batch()), ACTION_SPEC, discount=0.9,
        policy_update_period=policy_update_period,
        policy_optimizer=snt.optimizers.SGD(0.1),
        critic_optimizer=snt.optimizers.SGD(0.1), logger=logger, checkpoint=False,
        **kwargs)
    return learner, nets, logger


def test_policy_and_targets_change_only_every_policy_update_period():
    learner, nets, _ = _learner(policy_update_period=3)
    policy, critic = nets.policy, nets.critics[0]
    target_policy = learner._target_policy_network
    target_critic = learner._target_critic_network
    for step in range(1, 7):
        policy_before, critic_before = values(policy.variables), values(critic.variables)
        targets_before = values(target_policy.variables) + values(target_critic.variables)
        learner.step()
        assert_some_differ(values(critic.variables), critic_before)
        targets = values(target_policy.variables) + values(target_critic.variables)
        if step % 3 == 0:  # Updates 3 and 6 (the 3rd and 6th).
            assert_some_differ(values(policy.variables), policy_before)
            assert_some_differ(targets, targets_before)
        else:
            assert_all_equal(values(policy.variables), policy_before)
            assert_all_equal(targets, targets_before)


def test_polyak_targets_follow_the_delayed_update():
    learner, nets, _ = _learner(policy_update_period=1, target_update_rate=0.5)
    before = values(learner._target_twin_critic_network.variables)
    learner.step()
    expected = [0.5 * o + 0.5 * t
                for o, t in zip(values(nets.critics[1].variables), before)]
    assert_all_close(values(learner._target_twin_critic_network.variables), expected,
                     rtol=1e-6, atol=1e-7)


def test_smoothing_noise_is_clipped_and_stays_in_bounds():
    learner, nets, _ = _learner(target_sigma=100.0, noise_clip=0.25)
    observations = tf.constant(np.random.RandomState(0).randn(256, 3), tf.float32)
    mean = nets.policy(observations).numpy()  # target policy = policy at start
    smoothed = learner.smoothed_target_actions(observations, tf.constant(0)).numpy()
    # The clip is relative to the half-range 2: |noise| <= 0.5, and with σ = 100
    # nearly every draw is clipped to exactly ±0.5.
    noise = smoothed - mean
    assert np.all(np.abs(noise) <= 0.5 + 1e-5)
    np.testing.assert_allclose(np.abs(noise), 0.5, atol=1e-5)
    assert np.any(noise > 0) and np.any(noise < 0)
    assert smoothed.min() >= -2.0 and smoothed.max() <= 2.0
    again = learner.smoothed_target_actions(observations, tf.constant(0)).numpy()
    other = learner.smoothed_target_actions(observations, tf.constant(1)).numpy()
    np.testing.assert_array_equal(smoothed, again)
    assert not np.array_equal(np.sign(noise), np.sign(other - mean))


def test_critic_loss_is_the_clipped_double_q_loss_of_the_batch():
    learner, nets, logger = _learner(jit_compile=False, target_sigma=0.3)
    critic, twin = nets.critics
    batch = make_batch()
    o, a, r, d, o2 = (tf.constant(x) for x in batch[:5])
    a2 = learner.smoothed_target_actions(o2, tf.constant(0))
    y = r + 0.9 * d * tf.minimum(critic(o2, a2)[:, 0], twin(o2, a2)[:, 0])
    expected = (tf.reduce_mean(0.5 * tf.square(y - critic(o, a)[:, 0]))
                + tf.reduce_mean(0.5 * tf.square(y - twin(o, a)[:, 0])))
    learner.step()
    assert float(logger.data[-1]['critic_loss']) == pytest.approx(float(expected),
                                                                  rel=1e-5)


def test_twin_critic_must_be_independent():
    nets = td3.make_networks(SPEC, (8,), (8,))
    critic = nets.critics[0]
    with pytest.raises(ValueError, match='different module'):
        td3.TD3(SPEC, nets.policy, critic, critic, checkpoint=False)
    critic(tf.zeros([1, 3]), tf.zeros([1, 1]))
    with pytest.raises(ValueError, match='already has variables'):
        td3.TD3(SPEC, nets.policy, critic, checkpoint=False)


@pytest.mark.parametrize('kwargs,match', [
    ({'policy_update_period': 0},
     r'TD3Config\.policy_update_period must be an integer >= 1'),
    ({'target_sigma': -1.0}, r'TD3Config\.target_sigma must be >= 0, got -1.0'),
    ({'noise_clip': -0.5}, r'TD3Config\.noise_clip must be >= 0, got -0.5'),
])
def test_td3_rejects_bad_hyperparameters(kwargs, match):
    nets = td3.make_networks(SPEC, (8,), (8,))
    with pytest.raises(ValueError, match=match):
        td3.TD3(SPEC, nets.policy, *nets.critics, checkpoint=False, **kwargs)


def test_td3_positional_hyperparameters_and_config_seed():
    nets = td3.make_networks(SPEC, (8,), (8,))
    # discount, batch_size, prefetch_size, min_replay_size, max_replay_size,
    # samples_per_insert, n_step, sigma, policy_update_period.
    with td3.TD3(SPEC, nets.policy, *nets.critics, tf.identity, 0.9, 32, 2, 64, 500,
                 64.0, 2, 0.2, 3, seed=7, checkpoint=False,
                 logger=loggers.InMemoryLogger()) as agent:
        config = agent.config
        assert (config.discount, config.batch_size, config.prefetch_size,
                config.min_replay_size, config.max_replay_size,
                config.samples_per_insert, config.n_step, config.sigma,
                config.policy_update_period, config.seed) == (
            0.9, 32, 2, 64, 500, 64.0, 2, 0.2, 3, 7)
        assert agent.learner._seed == 7
        assert isinstance(agent.learner, td3.TD3Learner)


def test_td3_learns_pendulum_swing_up():
    """Up to 10,000 steps, stopping once good enough (the policy learns every
    2nd update); see test_ddpg.EVAL_SEED for what trivial policies score."""
    tf.random.set_seed(0)
    environment = make('pendulum', seed=0)
    spec = specs.make_environment_spec(environment)
    nets = td3.make_networks(spec, (64, 64), (64, 64))
    agent = td3.TD3(spec, nets.policy, *nets.critics,
                    min_replay_size=500, clipping=True, policy_learning_rate=1e-3,
                    critic_learning_rate=1e-3, logger=loggers.InMemoryLogger(),
                    checkpoint=False)
    try:
        score = train_and_evaluate(agent, seed=0, num_steps=10_000)
    finally:
        agent.close()
    print('TD3 Pendulum greedy return:', score)
    assert score > -900, score
