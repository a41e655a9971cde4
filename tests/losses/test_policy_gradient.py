"""Tests for troupe.components.losses.policy_gradient: hand-computed losses, gradients."""

import numpy as np
import pytest
import tensorflow as tf

from troupe.components.losses import policy_gradient as pg
from troupe.components.losses.off_policy import vtrace

LN2 = np.log(2.0)


def test_policy_gradient_loss_by_hand_and_its_gradient():
    # -log pi * A: -ln 0.5 * 2 = 2 ln 2; -ln 0.25 * (-1) = -2 ln 2.
    log_probs = tf.Variable(np.log([0.5, 0.25]).astype(np.float32))
    advantages = tf.Variable([2.0, -1.0])
    with tf.GradientTape() as tape:
        loss = pg.policy_gradient_loss(log_probs, advantages)
    np.testing.assert_allclose(loss.numpy(), [2 * LN2, -2 * LN2], rtol=1e-6)
    grad_log_probs, grad_advantages = tape.gradient(loss, [log_probs, advantages])
    np.testing.assert_allclose(grad_log_probs.numpy(), [-2.0, 1.0])  # -A
    assert grad_advantages is None


def test_discrete_policy_gradient_loss_by_hand():
    # Row 0: pi = [0.5, 0.25, 0.25], action 1, A = 4 -> -ln 0.25 * 4 = 8 ln 2.
    # Row 1: pi = [0.125, 0.375, 0.5], action 2, A = -3 -> -ln 0.5 * (-3) = -3 ln 2.
    logits = tf.constant(np.log([[0.5, 0.25, 0.25], [0.125, 0.375, 0.5]]), tf.float32)
    loss = pg.discrete_policy_gradient_loss(logits, tf.constant([1, 2]),
                                            tf.constant([4.0, -3.0]))
    np.testing.assert_allclose(loss.numpy(), [8 * LN2, -3 * LN2], rtol=1e-6)
    # uint8 actions are accepted too.
    loss_uint8 = pg.discrete_policy_gradient_loss(
        logits, tf.constant([1, 2], tf.uint8), tf.constant([4.0, -3.0]))
    np.testing.assert_allclose(loss_uint8.numpy(), loss.numpy())


def test_entropy_loss_by_hand():
    # Uniform over 4: -H = -ln 4 = -2 ln 2.
    # [0.5, 0.25, 0.25]: 0.5 ln 0.5 + 2 * 0.25 ln 0.25 = -0.5 ln 2 - ln 2 = -1.5 ln 2.
    # Logits are defined up to a constant: shifting by 3 changes nothing.
    logits = tf.constant([[0.0, 0.0, 0.0, 0.0],
                          np.log([0.5, 0.25, 0.25, 1e-30]) + 3.0], tf.float32)
    np.testing.assert_allclose(pg.entropy_loss(logits).numpy(), [-2 * LN2, -1.5 * LN2],
                               rtol=1e-5)


def _ac_inputs():
    # B = 2: log pi(a) = ln 0.5 in both rows; entropies both 1.5 ln 2.
    logits = tf.constant(np.log([[0.5, 0.25, 0.25], [0.25, 0.25, 0.5]]), tf.float32)
    actions = tf.constant([0, 2])
    values = tf.Variable([1.0, 2.0])
    returns = tf.constant([3.0, 1.0])
    return logits, actions, values, returns


def test_actor_critic_loss_by_hand():
    logits, actions, values, returns = _ac_inputs()
    with tf.GradientTape() as tape:
        result = pg.actor_critic_loss(logits, actions, values, returns,
                                      baseline_cost=0.5, entropy_cost=0.1)
    # A = G - V = [2, -1].
    # policy = mean(-ln 0.5 * 2, -ln 0.5 * (-1)) = mean(2 ln 2, -ln 2) = 0.5 ln 2.
    # value = mean(0.5 * 2^2, 0.5 * (-1)^2) = mean(2, 0.5) = 1.25.
    # entropy = mean(-1.5 ln 2, -1.5 ln 2) = -1.5 ln 2.
    # loss = 0.5 ln 2 + 0.5 * 1.25 + 0.1 * (-1.5 ln 2) = 0.35 ln 2 + 0.625.
    np.testing.assert_allclose(result.policy.numpy(), 0.5 * LN2, rtol=1e-6)
    np.testing.assert_allclose(result.value.numpy(), 1.25, rtol=1e-6)
    np.testing.assert_allclose(result.entropy.numpy(), -1.5 * LN2, rtol=1e-6)
    np.testing.assert_allclose(result.loss.numpy(), 0.35 * LN2 + 0.625, rtol=1e-6)
    # The advantages are constants, so only the value term reaches V:
    # d loss / d V = 0.5 * mean'(0.5 (G - V)^2) = 0.5 * -(G - V) / 2 = [-0.5, 0.25].
    np.testing.assert_allclose(tape.gradient(result.loss, values).numpy(), [-0.5, 0.25],
                               rtol=1e-6)


def test_actor_critic_loss_with_given_advantages_and_logits_gradient():
    logits, actions, values, returns = _ac_inputs()
    logits = tf.Variable(logits)
    with tf.GradientTape() as tape:
        result = pg.actor_critic_loss(logits, actions, values, returns,
                                      advantages=tf.constant([1.0, 0.0]), entropy_cost=0.0)
    # policy = mean(-ln 0.5 * 1, -ln 0.5 * 0) = 0.5 ln 2.
    np.testing.assert_allclose(result.policy.numpy(), 0.5 * LN2, rtol=1e-6)
    # d/d logits of mean(-log softmax(l)[a] * A) = (softmax(l) - onehot(a)) * A / 2:
    # row 0: ([0.5, 0.25, 0.25] - [1, 0, 0]) * 0.5 = [-0.25, 0.125, 0.125]; row 1: 0.
    np.testing.assert_allclose(tape.gradient(result.loss, logits).numpy(),
                               [[-0.25, 0.125, 0.125], [0.0, 0.0, 0.0]], atol=1e-6)


def test_actor_critic_loss_composes_with_vtrace():
    rng = np.random.default_rng(0)
    logits = tf.constant(rng.normal(size=[5, 2, 3]), tf.float32)
    actions = tf.constant(rng.integers(0, 3, size=[5, 2]))
    values = tf.constant(rng.normal(size=[5, 2]), tf.float32)
    target_log_probs = -tf.nn.sparse_softmax_cross_entropy_with_logits(actions, logits)
    returns = vtrace(target_log_probs - 0.1, target_log_probs, tf.ones([5, 2]),
                     tf.fill([5, 2], 0.9), values, tf.zeros([2]))
    result = pg.actor_critic_loss(logits, actions, values, returns.vs,
                                  advantages=returns.pg_advantages, baseline_cost=0.5)
    expected_policy = np.mean(-target_log_probs.numpy() * returns.pg_advantages.numpy())
    np.testing.assert_allclose(result.policy.numpy(), expected_policy, rtol=1e-5)


def test_identical_under_jit_compile():
    rng = np.random.default_rng(1)
    logits = tf.constant(rng.normal(size=[4, 3, 5]), tf.float32)
    actions = tf.constant(rng.integers(0, 5, size=[4, 3]), tf.int32)
    values = tf.constant(rng.normal(size=[4, 3]), tf.float32)
    returns = tf.constant(rng.normal(size=[4, 3]), tf.float32)
    eager = pg.actor_critic_loss(logits, actions, values, returns)
    compiled = tf.function(pg.actor_critic_loss, jit_compile=True)(
        logits, actions, values, returns)
    for got, want in zip(compiled, eager):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5)
    np.testing.assert_allclose(
        tf.function(pg.entropy_loss, jit_compile=True)(logits).numpy(),
        pg.entropy_loss(logits).numpy(), rtol=1e-5)
    np.testing.assert_allclose(
        tf.function(pg.discrete_policy_gradient_loss, jit_compile=True)(
            logits, actions, values).numpy(),
        pg.discrete_policy_gradient_loss(logits, actions, values).numpy(), rtol=1e-5)


def test_input_checks():
    logits, actions, values, returns = _ac_inputs()
    with pytest.raises(ValueError, match=r'advantages has shape \(3,\) but log_probs has '
                                         r'shape \(2,\)'):
        pg.policy_gradient_loss(tf.zeros([2]), tf.zeros([3]))
    with pytest.raises(ValueError, match=r'returns has shape \(3,\) but values has shape '
                                         r'\(2,\)'):
        pg.actor_critic_loss(logits, actions, values, tf.zeros([3]))
    with pytest.raises(ValueError, match=r'actions has shape \(2, 1\) but logits has shape '
                                         r'\(2, 3\)'):
        pg.actor_critic_loss(logits, actions[:, None], values, returns)
    with pytest.raises(TypeError, match=r'actions must be integer indices, got dtype '
                                        r'float32'):
        pg.discrete_policy_gradient_loss(logits, tf.constant([0.0, 1.0]), returns)
    with pytest.raises(ValueError, match=r'entropy_cost must be >= 0.0, got -0.01'):
        pg.actor_critic_loss(logits, actions, values, returns, entropy_cost=-0.01)
    with pytest.raises(ValueError, match=r'baseline_cost must be >= 0.0, got -1'):
        pg.actor_critic_loss(logits, actions, values, returns, baseline_cost=-1)
