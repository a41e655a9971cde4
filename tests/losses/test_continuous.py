"""Tests for troupe.components.losses.continuous: DDPG / TD3 / SAC targets and losses."""

import numpy as np
import pytest
import tensorflow as tf

from troupe.components import losses
from troupe.components.losses import continuous

R = [1.0, 2.0]
D = [1.0, 0.0]  # the second transition ends its episode
Q1 = [3.0, 5.0]
Q2 = [4.0, 1.0]
SEED = tf.constant([7, 11])


# ------------------------------------------------------------ TD3


def test_td3_target_actions_match_the_stateless_draw():
    actions = tf.constant([[0.0, 0.9], [-0.95, 0.2], [0.5, -0.5]])
    result = continuous.td3_target_actions(actions, 0.2, 0.3, [-1.0, -1.0], [1.0, 1.0],
                                           SEED)
    noise = 0.2 * tf.random.stateless_normal([3, 2], seed=SEED, alg='philox').numpy()
    expected = np.clip(actions.numpy() + np.clip(noise, -0.3, 0.3), -1.0, 1.0)
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)
    # The same seed gives the same actions; another seed other ones.
    np.testing.assert_array_equal(
        continuous.td3_target_actions(actions, 0.2, 0.3, -1.0, 1.0, SEED).numpy(),
        result.numpy())
    assert not np.allclose(
        continuous.td3_target_actions(actions, 0.2, 0.3, -1.0, 1.0, [7, 12]).numpy(),
        result.numpy())


def test_td3_target_actions_clip_the_noise_then_the_action():
    # sigma = 1e6 makes |eps| > c = 0.5 for every entry, so each noise is exactly
    # +-0.5: a = 0 gives -0.5 or 0.5; a = 0.9 gives 0.4 or 1.4 -> clipped to 1.0;
    # a = -0.2 against bounds [-0.25, 3] gives -0.7 -> -0.25 or 0.3.
    actions = tf.tile(tf.constant([[0.0, 0.9, -0.2]]), [64, 1])
    result = continuous.td3_target_actions(actions, 1e6, 0.5, [-1.0, -1.0, -0.25],
                                           [1.0, 1.0, 3.0], SEED).numpy()
    np.testing.assert_allclose(np.unique(result[:, 0]), [-0.5, 0.5], rtol=1e-6)
    np.testing.assert_allclose(np.unique(result[:, 1]), [0.4, 1.0], rtol=1e-6)
    np.testing.assert_allclose(np.unique(result[:, 2]), [-0.25, 0.3], rtol=1e-6)
    # sigma = 0: no noise, only the clip to the bounds.
    np.testing.assert_allclose(
        continuous.td3_target_actions(tf.constant([[2.0, -0.3]]), 0.0, 0.5, -1.0, 1.0,
                                      SEED).numpy(), [[1.0, -0.3]])


def test_clipped_double_q_target_by_hand():
    # y = r + g d min(q1, q2), g = 0.5: [1 + 0.5*1*3, 2 + 0] = [2.5, 2].
    q1 = tf.Variable(Q1)
    with tf.GradientTape() as tape:
        target = continuous.clipped_double_q_target(R, D, q1, Q2, 0.5)
    np.testing.assert_allclose(target.numpy(), [2.5, 2.0])
    assert tape.gradient(target, q1) is None


# ------------------------------------------------------------ SAC


def test_sac_critic_target_by_hand():
    # min(q1, q2) = [3, 1]; alpha = 0.2, log pi(a'|s') = [-1, 2]:
    # soft value = [3 + 0.2, 1 - 0.4] = [3.2, 0.6];
    # y = [1 + 0.5*1*3.2, 2 + 0.5*0*0.6] = [2.6, 2].
    target = continuous.sac_critic_target(R, D, Q1, Q2, [-1.0, 2.0], 0.2, 0.5)
    np.testing.assert_allclose(target.numpy(), [2.6, 2.0], rtol=1e-6)


def test_sac_policy_loss_by_hand():
    # alpha log pi - min(q1, q2) = [0.5*(-1) - 1, 0.5*0.5 - 3] = [-1.5, -2.75];
    # mean = -2.125.
    log_prob = tf.Variable([-1.0, 0.5])
    alpha = tf.Variable(0.5)
    with tf.GradientTape() as tape:
        loss = continuous.sac_policy_loss([1.0, 4.0], [2.0, 3.0], log_prob, alpha)
    np.testing.assert_allclose(loss.numpy(), -2.125)
    grad_log_prob, grad_alpha = tape.gradient(loss, [log_prob, alpha])
    np.testing.assert_allclose(grad_log_prob.numpy(), [0.25, 0.25])  # alpha / B
    assert grad_alpha is None


def test_sac_temperature_loss_value_and_gradient_sign():
    log_alpha = tf.Variable(np.log(2.0), dtype=tf.float32)
    # Entropy estimate -mean(log pi) = 1.5 is above the target H = -1:
    # log pi + H = [-2, -3]; loss = -ln 2 * mean([-2, -3]) = 2.5 ln 2;
    # d loss / d log alpha = 2.5 > 0, so gradient descent lowers alpha.
    with tf.GradientTape() as tape:
        loss = continuous.sac_temperature_loss(log_alpha, [-1.0, -2.0], -1.0)
    np.testing.assert_allclose(loss.numpy(), 2.5 * np.log(2.0), rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(loss, log_alpha).numpy(), 2.5)
    # Entropy -1.5 below the target 0: log pi + H = [1, 2]; the gradient -1.5 < 0
    # raises alpha.
    log_prob = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        loss = continuous.sac_temperature_loss(log_alpha, log_prob, 0.0)
    grad_log_alpha, grad_log_prob = tape.gradient(loss, [log_alpha, log_prob])
    np.testing.assert_allclose(grad_log_alpha.numpy(), -1.5)
    assert grad_log_prob is None


# ------------------------------------------------------------ DDPG and Polyak


def test_dpg_loss_by_hand():
    # ½‖stop_gradient(a + g) − a‖² = ½‖g‖²: [½·25, ½·0.25]; its gradient is −g.
    a = tf.Variable([[0.5, -1.0], [0.0, 0.0]])
    g = tf.constant([[3.0, 4.0], [0.3, -0.4]])
    with tf.GradientTape() as tape:
        loss = continuous.dpg(g, a)
        total = tf.reduce_sum(loss)
    np.testing.assert_allclose(loss.numpy(), [12.5, 0.125], rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(total, a).numpy(), -g.numpy(), rtol=1e-6)
    # Clipping the per-example norm to 1: [3, 4] -> [0.6, 0.8]; [0.3, -0.4] stays.
    np.testing.assert_allclose(continuous.dpg(g, a, 1.0, clip_norm=True).numpy(),
                               [0.5, 0.125], rtol=1e-6)
    # Per component to [-1, 1]: [1, 1] and [0.3, -0.4].
    np.testing.assert_allclose(continuous.dpg(g, a, 1.0).numpy(), [1.0, 0.125],
                               rtol=1e-6)


def test_polyak_average_of_nests_by_hand():
    # (1 - rate) target + rate online with rate = 0.25:
    # 0.75 * [1, 2] + 0.25 * [5, 6] = [2, 3]; 0.75 * 4 + 0.25 * 0 = 3.
    target = [tf.Variable([1.0, 2.0]), {'bias': tf.Variable([[4.0]])}]
    online = [tf.constant([5.0, 6.0]), {'bias': tf.constant([[0.0]])}]
    new = losses.polyak_average(online, target, 0.25)
    np.testing.assert_allclose(new[0].numpy(), [2.0, 3.0])
    np.testing.assert_allclose(new[1]['bias'].numpy(), [[3.0]])
    np.testing.assert_allclose(target[0].numpy(), [1.0, 2.0])  # nothing assigned
    np.testing.assert_allclose(losses.polyak_average(online, target, 1.0)[0],
                               [5.0, 6.0])
    single = losses.polyak_average(tf.constant(3.0), tf.constant(1.0), 0.5)
    np.testing.assert_allclose(single.numpy(), 2.0)


# ------------------------------------------------------------ graph and XLA


def test_td3_target_actions_under_jit_compile():
    # XLA draws another (deterministic) stream for the seed than eager mode, so the
    # compiled function is checked against the formula applied to XLA's own draw.
    actions = tf.constant([[0.1, 0.9], [-0.9, 0.0], [0.3, -0.99]])

    @tf.function(jit_compile=True)
    def smooth_and_draw(seed):
        smoothed = continuous.td3_target_actions(actions, 0.4, 0.5, -1.0, 1.0, seed)
        noise = tf.random.stateless_normal([3, 2], seed=seed, stddev=0.4, alg='philox')
        return smoothed, noise

    smoothed, noise = smooth_and_draw(SEED)
    expected = np.clip(actions.numpy() + np.clip(noise.numpy(), -0.5, 0.5), -1.0, 1.0)
    np.testing.assert_allclose(smoothed.numpy(), expected, rtol=1e-6)
    np.testing.assert_array_equal(smooth_and_draw(SEED)[0].numpy(), smoothed.numpy())


@pytest.mark.parametrize('fn, args', [
    (continuous.clipped_double_q_target,
     (tf.constant(R), tf.constant(D), tf.constant(Q1), tf.constant(Q2), 0.99)),
    (continuous.sac_critic_target,
     (tf.constant(R), tf.constant(D), tf.constant(Q1), tf.constant(Q2),
      tf.constant([-1.0, 2.0]), tf.constant(0.2), 0.99)),
    (continuous.sac_policy_loss,
     (tf.constant(Q1), tf.constant(Q2), tf.constant([-1.0, 2.0]), tf.constant(0.2))),
    (continuous.sac_temperature_loss, (tf.constant(0.3), tf.constant([-1.0, 2.0]), -2.0)),
    (continuous.dpg, (tf.constant([[3.0, 4.0], [0.3, -0.4]]),
                      tf.constant([[0.5, -1.0], [0.0, 0.0]]), 1.0, True)),
    (losses.polyak_average,
     ([tf.constant([5.0, 6.0]), tf.constant(0.0)], [tf.constant([1.0, 2.0]),
                                                     tf.constant(4.0)], 0.005)),
])
def test_identical_under_jit_compile(fn, args):
    eager = fn(*args)
    compiled = tf.function(fn, jit_compile=True)(*args)
    for got, want in zip(tf.nest.flatten(compiled), tf.nest.flatten(eager)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


# ------------------------------------------------------------ input checks


def test_input_checks():
    with pytest.raises(ValueError, match=r'q2_t has shape \(3,\) but r_t has shape \(2,\)'):
        continuous.clipped_double_q_target(R, D, Q1, [1.0, 2.0, 3.0], 0.99)
    with pytest.raises(ValueError, match=r'next_log_prob has shape \(2, 1\) but r_t'):
        continuous.sac_critic_target(R, D, Q1, Q2, [[0.0], [0.0]], 0.2, 0.99)
    with pytest.raises(ValueError, match=r'discount must be in \[0.0, 1.0\], got 1.5'):
        continuous.clipped_double_q_target(R, D, Q1, Q2, 1.5)
    with pytest.raises(ValueError, match=r'alpha must be >= 0.0, got -0.1'):
        continuous.sac_policy_loss(Q1, Q2, [0.0, 0.0], -0.1)
    with pytest.raises(ValueError, match=r'log_alpha must be a scalar, got shape \(2,\)'):
        continuous.sac_temperature_loss([0.0, 0.0], [0.0, 0.0], -1.0)
    with pytest.raises(ValueError, match=r'noise_stddev must be >= 0.0, got -0.2'):
        continuous.td3_target_actions([[0.0]], -0.2, 0.5, -1.0, 1.0, SEED)
    with pytest.raises(ValueError, match=r'noise_clip must be >= 0.0, got -0.5'):
        continuous.td3_target_actions([[0.0]], 0.2, -0.5, -1.0, 1.0, SEED)
    with pytest.raises(ValueError, match=r'action_minimum must not exceed action_maximum'):
        continuous.td3_target_actions([[0.0]], 0.2, 0.5, 1.0, -1.0, SEED)
    with pytest.raises(ValueError, match=r'polyak_average rate must be in \(0, 1\], '
                                         r'got 2.0'):
        losses.polyak_average([2.0], [1.0], 2.0)
    with pytest.raises(ValueError, match=r"online\[1\]\['b'\] has shape \(3,\) but "
                                         r"target\[1\]\['b'\] has shape \(2,\)"):
        losses.polyak_average([1.0, {'b': tf.zeros(3)}],
                              [1.0, {'b': tf.zeros(2)}], 0.1)
    with pytest.raises(ValueError, match=r'same nested structure'):
        losses.polyak_average([1.0, 2.0], [1.0], 0.1)
