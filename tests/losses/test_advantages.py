"""Tests for troupe.components.losses.advantages: hand-computed returns and advantages."""

import numpy as np
import pytest
import tensorflow as tf

from troupe.components.losses import advantages

# One 4-step sequence, time-major with no batch dimension. discounts[1] = 0: the
# episode ends after step 1 and a new one starts at step 2.
REWARDS = [1.0, 2.0, 3.0, 4.0]
DISCOUNTS = [0.5, 0.0, 0.5, 0.5]
VALUES = [1.0, 1.0, 2.0, 2.0]
BOOTSTRAP = 4.0


def _tensors():
    return (tf.constant(REWARDS), tf.constant(DISCOUNTS), tf.constant(VALUES),
            tf.constant(BOOTSTRAP))


def _random_sequence(seed, shape=(6, 3)):
    rng = np.random.default_rng(seed)
    rewards = rng.normal(size=shape).astype(np.float32)
    discounts = (0.9 * (rng.uniform(size=shape) > 0.2)).astype(np.float32)
    values = rng.normal(size=shape).astype(np.float32)
    bootstrap = rng.normal(size=shape[1:]).astype(np.float32)
    return rewards, discounts, values, bootstrap


# ------------------------------------------------------------ numpy references


def _np_gae(rewards, discounts, values, bootstrap, lambda_):
    advantages = np.zeros_like(rewards)
    next_advantage = np.zeros_like(bootstrap)
    next_value = bootstrap
    for t in reversed(range(len(rewards))):
        delta = rewards[t] + discounts[t] * next_value - values[t]
        next_advantage = delta + discounts[t] * lambda_ * next_advantage
        advantages[t] = next_advantage
        next_value = values[t]
    return advantages


def _np_n_step(rewards, discounts, values, bootstrap, n):
    num_steps = len(rewards)
    all_values = np.concatenate([values, bootstrap[None]], axis=0)
    returns = np.zeros_like(rewards)
    for t in range(num_steps):
        total, weight = np.zeros_like(bootstrap), np.ones_like(bootstrap)
        m = min(n, num_steps - t)
        for k in range(m):
            total = total + weight * rewards[t + k]
            weight = weight * discounts[t + k]
        returns[t] = total + weight * all_values[t + m]
    return returns


# ------------------------------------------------------------ hand-computed values


def test_discounted_returns_by_hand():
    rewards, discounts, _, bootstrap = _tensors()
    # G3 = 4 + 0.5*4 = 6; G2 = 3 + 0.5*6 = 6; G1 = 2 + 0*6 = 2; G0 = 1 + 0.5*2 = 2.
    returns = advantages.discounted_returns(rewards, discounts, bootstrap)
    np.testing.assert_allclose(returns.numpy(), [2.0, 2.0, 6.0, 6.0])


def test_gae_by_hand_with_an_episode_end_in_the_middle():
    # delta_t = r_t + g_t V_{t+1} - V_t:
    #   d0 = 1 + 0.5*1 - 1 = 0.5; d1 = 2 + 0*2 - 1 = 1; d2 = 3 + 0.5*2 - 2 = 2;
    #   d3 = 4 + 0.5*4 - 2 = 4.
    # A_t = d_t + g_t*lambda*A_{t+1}, lambda = 0.5:
    #   A3 = 4; A2 = 2 + 0.25*4 = 3; A1 = 1 + 0*3 = 1; A0 = 0.5 + 0.25*1 = 0.75.
    result = advantages.generalized_advantage_estimation(*_tensors(), lambda_=0.5)
    np.testing.assert_allclose(result.numpy(), [0.75, 1.0, 3.0, 4.0])


def test_gae_does_not_look_past_an_episode_end():
    rewards, discounts, values, bootstrap = _tensors()
    before = advantages.generalized_advantage_estimation(
        rewards, discounts, values, bootstrap, 0.9)
    # Changing anything of the second episode (steps 2, 3 and V(s_4)) leaves steps
    # 0 and 1 alone. V(s_2) does enter delta_1, but with discount 0.
    after = advantages.generalized_advantage_estimation(
        tf.constant([1.0, 2.0, -30.0, 40.0]), discounts,
        tf.constant([1.0, 1.0, 20.0, -2.0]), tf.constant(-100.0), 0.9)
    np.testing.assert_allclose(after.numpy()[:2], before.numpy()[:2])
    assert not np.allclose(after.numpy()[2:], before.numpy()[2:])


def test_td_lambda_returns_by_hand():
    # G_t = r_t + g_t((1 - lambda) V_{t+1} + lambda G_{t+1}), lambda = 0.5, G_4 = V_4 = 4:
    #   G3 = 4 + 0.5*(0.5*4 + 0.5*4) = 6; G2 = 3 + 0.5*(0.5*2 + 0.5*6) = 5;
    #   G1 = 2 + 0 = 2; G0 = 1 + 0.5*(0.5*1 + 0.5*2) = 1.75.
    # (G - V = [0.75, 1, 3, 4] is the GAE above.)
    result = advantages.td_lambda_returns(*_tensors(), lambda_=0.5)
    np.testing.assert_allclose(result.numpy(), [1.75, 2.0, 5.0, 6.0])


def test_td_lambda_extremes():
    rewards, discounts, values, bootstrap = _tensors()
    # lambda = 0: r_t + g_t V_{t+1} = [1 + 0.5*1, 2 + 0, 3 + 0.5*2, 4 + 0.5*4].
    np.testing.assert_allclose(
        advantages.td_lambda_returns(rewards, discounts, values, bootstrap, 0.0).numpy(),
        [1.5, 2.0, 4.0, 6.0])
    # lambda = 1: the discounted return.
    np.testing.assert_allclose(
        advantages.td_lambda_returns(rewards, discounts, values, bootstrap, 1.0).numpy(),
        [2.0, 2.0, 6.0, 6.0])


def test_n_step_returns_by_hand():
    args = _tensors()
    # n = 1: r_t + g_t V_{t+1} = [1.5, 2, 4, 6].
    np.testing.assert_allclose(
        advantages.n_step_bootstrapped_returns(*args, n=1).numpy(), [1.5, 2.0, 4.0, 6.0])
    # n = 2: r_t + g_t r_{t+1} + g_t g_{t+1} V_{t+2}, truncated at the end:
    #   G0 = 1 + 0.5*2 + 0.5*0*2 = 2; G1 = 2 + 0*3 + 0 = 2;
    #   G2 = 3 + 0.5*4 + 0.25*4 = 6; G3 = 4 + 0.5*4 = 6 (only one step left).
    np.testing.assert_allclose(
        advantages.n_step_bootstrapped_returns(*args, n=2).numpy(), [2.0, 2.0, 6.0, 6.0])
    # n >= T: the discounted return.
    np.testing.assert_allclose(
        advantages.n_step_bootstrapped_returns(*args, n=7).numpy(),
        advantages.discounted_returns(args[0], args[1], args[3]).numpy())


# ------------------------------------------------------------ against numpy


@pytest.mark.parametrize('lambda_', [0.0, 0.6, 1.0])
def test_gae_and_td_lambda_match_numpy_on_a_batch(lambda_):
    rewards, discounts, values, bootstrap = _random_sequence(seed=1)
    expected = _np_gae(rewards, discounts, values, bootstrap, lambda_)
    gae = advantages.generalized_advantage_estimation(
        rewards, discounts, values, bootstrap, lambda_)
    returns = advantages.td_lambda_returns(rewards, discounts, values, bootstrap, lambda_)
    np.testing.assert_allclose(gae.numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(returns.numpy(), expected + values, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('n', [1, 2, 3, 6, 10])
def test_n_step_returns_match_numpy_on_a_batch(n):
    rewards, discounts, values, bootstrap = _random_sequence(seed=2)
    np.testing.assert_allclose(
        advantages.n_step_bootstrapped_returns(rewards, discounts, values, bootstrap, n),
        _np_n_step(rewards, discounts, values, bootstrap, n), rtol=1e-5, atol=1e-6)


def test_per_step_lambda():
    rewards, discounts, values, bootstrap = _random_sequence(seed=3, shape=(4, 2))
    # A per-step lambda of zeros gives the one-step TD errors.
    result = advantages.generalized_advantage_estimation(
        rewards, discounts, values, bootstrap, tf.zeros([4, 2]))
    next_values = np.concatenate([values[1:], bootstrap[None]])
    np.testing.assert_allclose(result, rewards + discounts * next_values - values,
                               rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------ graph and XLA


@pytest.mark.parametrize('name, fn', [
    ('discounted', lambda r, d, v, b: advantages.discounted_returns(r, d, b)),
    ('n_step', lambda r, d, v, b: advantages.n_step_bootstrapped_returns(r, d, v, b, 3)),
    ('td_lambda', lambda r, d, v, b: advantages.td_lambda_returns(r, d, v, b, 0.7)),
    ('gae', lambda r, d, v, b: advantages.generalized_advantage_estimation(r, d, v, b, 0.7)),
])
def test_identical_under_jit_compile(name, fn):
    args = [tf.constant(x) for x in _random_sequence(seed=4)]
    eager = fn(*args)
    compiled = tf.function(fn, jit_compile=True, autograph=False)(*args)
    np.testing.assert_allclose(compiled.numpy(), eager.numpy(), rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------ input checks


@pytest.mark.parametrize('lambda_', [-0.1, 1.5])
def test_lambda_outside_unit_interval_is_rejected(lambda_):
    with pytest.raises(ValueError, match=rf'lambda_ must be in \[0.0, 1.0\], got {lambda_}'):
        advantages.generalized_advantage_estimation(*_tensors(), lambda_=lambda_)
    with pytest.raises(ValueError, match='lambda_'):
        advantages.td_lambda_returns(*_tensors(), lambda_=lambda_)


def test_mismatched_shapes_name_both_arguments():
    rewards, discounts, values, bootstrap = _tensors()
    with pytest.raises(ValueError, match=r'values has shape \(3,\) but rewards has shape '
                                         r'\(4,\)'):
        advantages.generalized_advantage_estimation(
            rewards, discounts, values[:3], bootstrap, 0.5)
    with pytest.raises(ValueError, match=r'discounts has shape \(4, 1\) but rewards'):
        advantages.discounted_returns(rewards, discounts[:, None], bootstrap)
    with pytest.raises(ValueError, match=r'bootstrap_value has shape \(2,\).*expected '
                                         r'bootstrap_value of shape \(\)'):
        advantages.td_lambda_returns(rewards, discounts, values, tf.ones([2]), 0.5)
    with pytest.raises(ValueError, match=r'time-major'):
        advantages.discounted_returns(bootstrap, bootstrap, bootstrap)


@pytest.mark.parametrize('n', [0, -1, 2.0, True])
def test_bad_n_is_rejected(n):
    with pytest.raises(ValueError, match=rf'n must be a Python int >= 1, got {n!r}'):
        advantages.n_step_bootstrapped_returns(*_tensors(), n=n)
