"""D4PG: the critic loss is the categorical TD loss of the same batch, the update
is the hand-computed one, Acme's networks and tutorial call, and a short learning
run on Pendulum of the builder's agent (`LocalAgent(D4PGBuilder(...))`)."""

import copy

import numpy as np
import pytest
import sonnet as snt
import tensorflow as tf

from troupe import specs
from troupe.agents import d4pg, local
from troupe.components import loggers
from troupe.components.losses import distributional
from troupe.environments import make
from tests.agents.test_ddpg import (SPEC, assert_all_close, dataset_of, make_batch,
                                    train_and_evaluate, values)


def _learner(**kwargs):
    nets = d4pg.make_networks(SPEC, (8,), (8,), vmin=-5., vmax=5., num_atoms=11)
    policy, critic = nets.policy, nets.critics[0]
    logger = loggers.InMemoryLogger()
    learner = d4pg.D4PGLearner(
        policy, critic, copy.deepcopy(policy), copy.deepcopy(critic),
        dataset_of(make_batch()), 0.9, 100, snt.optimizers.SGD(0.1),
        snt.optimizers.SGD(0.1), logger=logger, checkpoint=False, **kwargs)
    return learner, policy, critic, logger


def test_critic_loss_is_categorical_td_loss_of_the_batch():
    learner, policy, critic, logger = _learner(clipping=False)
    batch = make_batch()
    o, a, r, d, o2 = (tf.constant(x) for x in batch[:5])
    atoms = tf.linspace(-5.0, 5.0, 11)
    with tf.GradientTape(persistent=True) as tape:
        logits = critic(o, a).logits
        logits_next = critic(o2, policy(o2)).logits  # targets start as copies
        expected_loss = tf.reduce_mean(distributional.categorical_td_loss(
            logits, r, 0.9 * d, logits_next, atoms))
        policy_loss = -tf.reduce_mean(critic(o2, policy(o2)).mean())
    critic_grads = tape.gradient(expected_loss, critic.trainable_variables)
    policy_grads = tape.gradient(policy_loss, policy.trainable_variables)
    expected_critic = [v.numpy() - 0.1 * g.numpy()
                       for v, g in zip(critic.trainable_variables, critic_grads)]
    expected_policy = [v.numpy() - 0.1 * g.numpy()
                       for v, g in zip(policy.trainable_variables, policy_grads)]

    learner.step()

    assert float(logger.data[-1]['critic_loss']) == pytest.approx(
        float(expected_loss), rel=1e-5)
    assert_all_close(values(critic.trainable_variables), expected_critic,
                     rtol=1e-4, atol=1e-6)
    assert_all_close(values(policy.trainable_variables), expected_policy,
                     rtol=1e-4, atol=1e-6)


def test_clipping_clips_the_action_gradient_and_the_gradient_norm():
    learner, policy, critic, _ = _learner(clipping=True)
    o2 = tf.constant(make_batch().next_observation)
    with tf.GradientTape() as tape:
        action = policy(o2)
        with tf.GradientTape() as action_tape:
            action_tape.watch(action)
            q = critic(o2, action).mean()
        dqda = tf.clip_by_norm(action_tape.gradient(q, action), 1.0, axes=[-1])
        loss = tf.reduce_mean(0.5 * tf.reduce_sum(
            tf.square(tf.stop_gradient(action + dqda) - action), axis=-1))
    gradients, _ = tf.clip_by_global_norm(
        tape.gradient(loss, policy.trainable_variables), 40.0)
    expected = [v.numpy() - 0.1 * g.numpy()
                for v, g in zip(policy.trainable_variables, gradients)]
    learner.step()
    assert_all_close(values(policy.trainable_variables), expected,
                     rtol=1e-4, atol=1e-6)


def test_default_networks_are_acmes():
    nets = d4pg.make_networks(SPEC)
    observation = tf.zeros([2, 3])
    action = nets.policy(observation)
    distribution = nets.critics[0](observation, action)
    assert action.shape == (2, 1)
    assert distribution.logits.shape == (2, 51)
    np.testing.assert_allclose(distribution.values.numpy(),
                               np.linspace(-150.0, 150.0, 51), rtol=1e-6)
    sizes = sorted(v.shape.as_list()[-1] for v in nets.policy.variables
                   if len(v.shape) == 2)
    assert sizes == [1, 256, 256, 256]
    # The near-zero final layer keeps the first actions near the middle (0).
    assert np.all(np.abs(action.numpy()) < 0.1)


def test_acme_tutorial_learner_call():
    """The Acme TF tutorial's keyword call works unchanged."""
    nets = d4pg.make_networks(SPEC, (8,), (8,))
    policy_network, critic_network = nets.policy, nets.critics[0]
    learner = d4pg.D4PGLearner(policy_network=policy_network,
                               critic_network=critic_network,
                               target_policy_network=copy.deepcopy(policy_network),
                               target_critic_network=copy.deepcopy(critic_network),
                               dataset_iterator=iter(dataset_of(make_batch())),
                               discount=0.99,
                               target_update_period=100,
                               policy_optimizer=snt.optimizers.Adam(1e-4),
                               critic_optimizer=snt.optimizers.Adam(1e-4),
                               logger=loggers.TerminalLogger(time_delta=10.),
                               checkpoint=False)
    learner.step()
    assert learner.num_updates == 1


def test_default_networks_follow_the_config_support():
    nets = d4pg.D4PGBuilder(d4pg.D4PGConfig(
        policy_hidden_sizes=(8,), critic_hidden_sizes=(8,), vmin=-1000.0, vmax=0.0,
        num_atoms=11)).make_networks(SPEC)
    observation = nets.observation(tf.zeros([2, 3]))
    distribution = nets.critics[0](observation, nets.policy(observation))
    np.testing.assert_allclose(distribution.values.numpy(),
                               np.linspace(-1000.0, 0.0, 11), rtol=1e-6)


def test_d4pg_learns_pendulum_swing_up():
    """The builder's agent with the config's default networks, up to 8,000
    steps, stopping once good enough (3,000 usually suffice); see
    test_ddpg.EVAL_SEED for what trivial policies score.

    Pendulum's discounted values reach about -1000 when hanging down, so the
    atoms span [-1000, 0]; Polyak targets and 3-step returns learn fastest here.
    """
    tf.random.set_seed(0)
    environment = make('pendulum', seed=0)
    spec = specs.make_environment_spec(environment)
    config = d4pg.D4PGConfig(
        batch_size=256, samples_per_insert=256.0, min_replay_size=500, n_step=3,
        target_update_period=1, target_update_rate=0.005, policy_learning_rate=1e-3,
        critic_learning_rate=1e-3, policy_hidden_sizes=(64, 64),
        critic_hidden_sizes=(64, 64), vmin=-1000., vmax=0.)
    agent = local.LocalAgent(d4pg.D4PGBuilder(config), spec,
                             logger=loggers.InMemoryLogger())
    try:
        score = train_and_evaluate(agent, seed=0, num_steps=8000)
    finally:
        agent.close()
    print('D4PG Pendulum greedy return:', score)
    assert score > -900, score
