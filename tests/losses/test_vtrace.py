"""Tests for troupe.components.losses.off_policy: V-trace by hand and against numpy."""

import numpy as np
import pytest
import tensorflow as tf

from troupe.components.losses import advantages
from troupe.components.losses.off_policy import vtrace

# T = 3, B = 1. Behaviour and target probabilities of the actions taken give
# rho = pi / mu = [0.5 / 0.25, 0.25 / 0.5, 0.4 / 0.4] = [2, 0.5, 1].
BEHAVIOUR_LOG_PROBS = np.log([[0.25], [0.5], [0.4]]).astype(np.float32)
TARGET_LOG_PROBS = np.log([[0.5], [0.25], [0.4]]).astype(np.float32)
REWARDS = np.array([[1.0], [0.0], [2.0]], np.float32)
DISCOUNTS = np.full([3, 1], 0.5, np.float32)
VALUES = np.array([[1.0], [2.0], [3.0]], np.float32)
BOOTSTRAP = np.array([4.0], np.float32)
ARGS = (BEHAVIOUR_LOG_PROBS, TARGET_LOG_PROBS, REWARDS, DISCOUNTS, VALUES, BOOTSTRAP)


def _np_vtrace(behaviour_log_probs, target_log_probs, rewards, discounts, values,
               bootstrap, clip_rho, clip_pg_rho, lambda_):
    """The recursion of Espeholt et al. (2018), eq. 1 and its remark 1, step by step."""
    rhos = np.exp(target_log_probs - behaviour_log_probs)
    clipped = rhos if clip_rho is None else np.minimum(clip_rho, rhos)
    pg_clipped = rhos if clip_pg_rho is None else np.minimum(clip_pg_rho, rhos)
    cs = lambda_ * np.minimum(1.0, rhos)
    num_steps = len(rewards)
    all_values = np.concatenate([values, bootstrap[None]])
    vs = np.zeros_like(values)
    next_vs = bootstrap  # v_T = V(x_T)
    for t in reversed(range(num_steps)):
        delta = clipped[t] * (rewards[t] + discounts[t] * all_values[t + 1] - values[t])
        vs[t] = values[t] + delta + discounts[t] * cs[t] * (next_vs - all_values[t + 1])
        next_vs = vs[t]
    all_vs = np.concatenate([vs, bootstrap[None]])
    pg_advantages = pg_clipped * (rewards + discounts * all_vs[1:] - values)
    return vs, pg_advantages


def test_vtrace_by_hand():
    # Clipped rho (threshold 1) = [1, 0.5, 1]; c = min(1, rho) = [1, 0.5, 1].
    # V(x_{t+1}) = [2, 3, 4].
    # delta_t = rho_t (r_t + g V_{t+1} - V_t):
    #   d0 = 1 * (1 + 0.5*2 - 1) = 1; d1 = 0.5 * (0 + 0.5*3 - 2) = -0.25;
    #   d2 = 1 * (2 + 0.5*4 - 3) = 1.
    # vs_t - V_t = d_t + g c_t (vs_{t+1} - V_{t+1}):
    #   t2: 1; t1: -0.25 + 0.5*0.5*1 = 0; t0: 1 + 0.5*1*0 = 1.  vs = [2, 2, 4].
    # pg_adv_t = rho_t (r_t + g vs_{t+1} - V_t), vs_3 = 4:
    #   t0: 1 * (1 + 0.5*2 - 1) = 1; t1: 0.5 * (0 + 0.5*4 - 2) = 0;
    #   t2: 1 * (2 + 0.5*4 - 3) = 1.
    vs, pg_advantages = vtrace(*ARGS)
    np.testing.assert_allclose(vs.numpy(), [[2.0], [2.0], [4.0]], rtol=1e-6)
    np.testing.assert_allclose(pg_advantages.numpy(), [[1.0], [0.0], [1.0]],
                               rtol=1e-6, atol=1e-6)


def test_vtrace_by_hand_with_lambda():
    # lambda = 0.5: c = 0.5 * [1, 0.5, 1] = [0.5, 0.25, 0.5]; deltas as above.
    #   t2: 1; t1: -0.25 + 0.5*0.25*1 = -0.125; t0: 1 + 0.5*0.5*(-0.125) = 0.96875.
    #   vs = [1.96875, 1.875, 4].
    # pg_adv: t0: 1 * (1 + 0.5*1.875 - 1) = 0.9375; t1: 0.5 * (0 + 0.5*4 - 2) = 0;
    #   t2: 1.
    vs, pg_advantages = vtrace(*ARGS, lambda_=0.5)
    np.testing.assert_allclose(vs.numpy(), [[1.96875], [1.875], [4.0]], rtol=1e-6)
    np.testing.assert_allclose(pg_advantages.numpy(), [[0.9375], [0.0], [1.0]],
                               rtol=1e-6, atol=1e-6)


def test_vtrace_by_hand_without_clipping():
    # rho = [2, 0.5, 1] unclipped; c = [1, 0.5, 1] (c is always clipped at 1).
    #   d0 = 2 * 1 = 2; d1 = -0.25; d2 = 1.
    #   t2: 1; t1: -0.25 + 0.5*0.5*1 = 0; t0: 2 + 0.5*1*0 = 2.  vs = [3, 2, 4].
    # pg_adv: t0: 2 * (1 + 0.5*2 - 1) = 2; t1: 0.5 * (0 + 2 - 2) = 0; t2: 1.
    vs, pg_advantages = vtrace(*ARGS, clip_rho_threshold=None, clip_pg_rho_threshold=None)
    np.testing.assert_allclose(vs.numpy(), [[3.0], [2.0], [4.0]], rtol=1e-6)
    np.testing.assert_allclose(pg_advantages.numpy(), [[2.0], [0.0], [1.0]],
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize('clip_rho, clip_pg_rho, lambda_', [
    (1.0, 1.0, 1.0), (0.7, 2.0, 0.9), (None, None, 0.5), (3.0, None, 0.0)])
def test_vtrace_matches_numpy_recursion(clip_rho, clip_pg_rho, lambda_):
    rng = np.random.default_rng(0)
    shape = (7, 4)
    behaviour = np.log(rng.uniform(0.05, 1.0, shape)).astype(np.float32)
    target = np.log(rng.uniform(0.05, 1.0, shape)).astype(np.float32)
    rewards = rng.normal(size=shape).astype(np.float32)
    discounts = (0.9 * (rng.uniform(size=shape) > 0.2)).astype(np.float32)
    values = rng.normal(size=shape).astype(np.float32)
    bootstrap = rng.normal(size=shape[1:]).astype(np.float32)
    args = (behaviour, target, rewards, discounts, values, bootstrap)
    expected_vs, expected_adv = _np_vtrace(*args, clip_rho, clip_pg_rho, lambda_)
    vs, pg_advantages = vtrace(*args, clip_rho_threshold=clip_rho,
                               clip_pg_rho_threshold=clip_pg_rho, lambda_=lambda_)
    np.testing.assert_allclose(vs.numpy(), expected_vs, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(pg_advantages.numpy(), expected_adv, rtol=1e-5, atol=1e-5)


def test_on_policy_vtrace_is_the_discounted_return():
    # With pi = mu every rho is 1 and, with lambda = 1, v_s is the n-step return
    # bootstrapped at the end of the sequence.
    log_probs = np.log(np.full([3, 1], 0.3, np.float32))
    vs, _ = vtrace(log_probs, log_probs, REWARDS, DISCOUNTS, VALUES, BOOTSTRAP)
    # G2 = 2 + 0.5*4 = 4; G1 = 0 + 0.5*4 = 2; G0 = 1 + 0.5*2 = 2.
    np.testing.assert_allclose(vs.numpy(), [[2.0], [2.0], [4.0]], rtol=1e-6)
    np.testing.assert_allclose(
        vs.numpy(), advantages.discounted_returns(REWARDS, DISCOUNTS, BOOTSTRAP).numpy(),
        rtol=1e-6)


def test_outputs_carry_no_gradient():
    values = tf.Variable(VALUES)
    target = tf.Variable(TARGET_LOG_PROBS)
    with tf.GradientTape() as tape:
        vs, pg_advantages = vtrace(BEHAVIOUR_LOG_PROBS, target, REWARDS, DISCOUNTS,
                                   values, BOOTSTRAP)
        total = tf.reduce_sum(vs) + tf.reduce_sum(pg_advantages)
    assert tape.gradient(total, [values, target]) == [None, None]


def test_identical_under_jit_compile():
    args = [tf.constant(x) for x in ARGS]
    eager = vtrace(*args, lambda_=0.9)

    @tf.function(jit_compile=True)
    def compiled(*inputs):
        return vtrace(*inputs, lambda_=0.9)

    result = compiled(*args)
    np.testing.assert_allclose(result.vs.numpy(), eager.vs.numpy(), rtol=1e-6)
    np.testing.assert_allclose(result.pg_advantages.numpy(), eager.pg_advantages.numpy(),
                               rtol=1e-6, atol=1e-7)


def test_input_checks():
    with pytest.raises(ValueError, match=r'clip_rho_threshold must be >= 0.0, got -1.0'):
        vtrace(*ARGS, clip_rho_threshold=-1.0)
    with pytest.raises(ValueError, match=r'clip_pg_rho_threshold must be >= 0.0, got -0.5'):
        vtrace(*ARGS, clip_pg_rho_threshold=-0.5)
    with pytest.raises(ValueError, match=r'lambda_ must be in \[0.0, 1.0\], got 2.0'):
        vtrace(*ARGS, lambda_=2.0)
    with pytest.raises(ValueError, match=r'target_log_probs has shape \(3, 2\) but rewards '
                                         r'has shape \(3, 1\)'):
        vtrace(BEHAVIOUR_LOG_PROBS, np.zeros([3, 2], np.float32), *ARGS[2:])
    with pytest.raises(ValueError, match=r'bootstrap_value has shape \(3, 1\)'):
        vtrace(*ARGS[:5], VALUES)
