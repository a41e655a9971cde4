"""Targets and losses for continuous-control actor-critics: DDPG, TD3 and SAC.

Batch-major: every per-example input has shape [B] (Q-values, rewards, discounts,
log-probabilities) or [B, A] (actions). Critic targets are returned under
`tf.stop_gradient`; the critic loss is then, e.g., mean((Q(s, a) - target)²).
"""

from typing import Any, Optional, Union

import numpy as np
import tensorflow as tf

from troupe.components.losses import common

Scalar = Union[float, tf.Tensor]
Nest = Any  # a tensor or variable, or a list / tuple / dict nest of them


def td3_target_actions(target_actions: tf.Tensor, noise_stddev: Scalar,
                       noise_clip: Scalar, action_minimum: tf.Tensor,
                       action_maximum: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """TD3's target policy smoothing: clip(a' + clip(ε, -c, c), low, high).

    ε ~ N(0, σ²) is drawn with `tf.random.stateless_normal` (Philox), so the same
    seed gives the same noise (Fujimoto et al., 2018, section 5.3). TensorFlow does
    not promise the same stream inside and outside XLA: under `jit_compile=True` a
    seed gives other (equally deterministic) noise than in eager mode.

    Args:
      target_actions: a' = μ_target(s'), shape [B, A].
      noise_stddev: σ >= 0.
      noise_clip: c >= 0.
      action_minimum: lower action bound, broadcastable to [B, A] (e.g. [A]).
      action_maximum: upper action bound, broadcastable to [B, A].
      seed: a stateless-random seed, integer tensor of shape [2].

    Returns:
      The smoothed target actions, shape [B, A], within the bounds.
    """
    common.check_in_range('noise_stddev', noise_stddev, 0.0)
    common.check_in_range('noise_clip', noise_clip, 0.0)
    target_actions = tf.convert_to_tensor(target_actions)
    dtype = target_actions.dtype
    low = tf.convert_to_tensor(action_minimum, dtype=dtype)
    high = tf.convert_to_tensor(action_maximum, dtype=dtype)
    static_low, static_high = tf.get_static_value(low), tf.get_static_value(high)
    if (static_low is not None and static_high is not None
            and np.any(np.asarray(static_low) > np.asarray(static_high))):
        raise ValueError(
            f'action_minimum must not exceed action_maximum, got '
            f'action_minimum={static_low!r}, action_maximum={static_high!r}.')
    noise_clip = tf.cast(noise_clip, dtype)
    noise = tf.random.stateless_normal(tf.shape(target_actions), seed=seed,
                                       stddev=tf.cast(noise_stddev, dtype), dtype=dtype,
                                       alg='philox')
    noise = tf.clip_by_value(noise, -noise_clip, noise_clip)
    return tf.clip_by_value(target_actions + noise, low, high)


def clipped_double_q_target(r_t: tf.Tensor, d_t: tf.Tensor, q1_t: tf.Tensor,
                            q2_t: tf.Tensor, discount: Scalar) -> tf.Tensor:
    """TD3's clipped double-Q target y = r_t + γ · d_t · min(Q1', Q2'), no gradient.

    Args:
      r_t: rewards, shape [B].
      d_t: environment discounts (0 at a terminal step), shape [B].
      q1_t: first target critic at (s', a'), shape [B].
      q2_t: second target critic at (s', a'), shape [B].
      discount: the agent's γ in [0, 1].

    Returns:
      y, shape [B].
    """
    common.check_in_range('discount', discount, 0.0, 1.0)
    r_t, d_t, q1_t, q2_t = _same_shape_tensors(r_t=r_t, d_t=d_t, q1_t=q1_t, q2_t=q2_t)
    target = r_t + tf.cast(discount, r_t.dtype) * d_t * tf.minimum(q1_t, q2_t)
    return tf.stop_gradient(target)


def sac_critic_target(r_t: tf.Tensor, d_t: tf.Tensor, q1_t: tf.Tensor, q2_t: tf.Tensor,
                      next_log_prob: tf.Tensor, alpha: Scalar,
                      discount: Scalar) -> tf.Tensor:
    """SAC's soft target y = r_t + γ · d_t · (min(Q1', Q2') - α log π(a'|s')).

    Returned without gradient.

    Args:
      r_t: rewards, shape [B].
      d_t: environment discounts (0 at a terminal step), shape [B].
      q1_t: first target critic at (s', a'), a' ~ π(·|s'), shape [B].
      q2_t: second target critic at (s', a'), shape [B].
      next_log_prob: log π(a'|s'), shape [B].
      alpha: the temperature α >= 0.
      discount: the agent's γ in [0, 1].

    Returns:
      y, shape [B].
    """
    common.check_in_range('alpha', alpha, 0.0)
    common.check_in_range('discount', discount, 0.0, 1.0)
    r_t, d_t, q1_t, q2_t, next_log_prob = _same_shape_tensors(
        r_t=r_t, d_t=d_t, q1_t=q1_t, q2_t=q2_t, next_log_prob=next_log_prob)
    dtype = r_t.dtype
    soft_value = tf.minimum(q1_t, q2_t) - tf.cast(alpha, dtype) * next_log_prob
    return tf.stop_gradient(r_t + tf.cast(discount, dtype) * d_t * soft_value)


def sac_policy_loss(q1: tf.Tensor, q2: tf.Tensor, log_prob: tf.Tensor,
                    alpha: Scalar) -> tf.Tensor:
    """SAC's actor loss mean(α log π(a|s) - min(Q1(s, a), Q2(s, a))), a ~ π(·|s).

    α is held constant (stop_gradient); gradients reach the policy through log π and
    through the reparameterised action inside Q1 and Q2.

    Args:
      q1: first critic at the sampled actions, shape [B].
      q2: second critic at the sampled actions, shape [B].
      log_prob: log π(a|s) of the sampled actions, shape [B].
      alpha: the temperature α >= 0.

    Returns:
      The scalar loss.
    """
    common.check_in_range('alpha', alpha, 0.0)
    q1, q2, log_prob = _same_shape_tensors(q1=q1, q2=q2, log_prob=log_prob)
    alpha = tf.stop_gradient(tf.cast(alpha, log_prob.dtype))
    return tf.reduce_mean(alpha * log_prob - tf.minimum(q1, q2))


def sac_temperature_loss(log_alpha: tf.Tensor, log_prob: tf.Tensor,
                         target_entropy: Scalar) -> tf.Tensor:
    """SAC's temperature loss -mean(log α · stop_gradient(log π(a|s) + H̄)).

    This is the convention of the SAC authors' code (softlearning) and of
    Stable-Baselines3: the loss is linear in log α, so its gradient
    -mean(log π + H̄) lowers α when the policy's entropy -log π is above the target
    H̄ and raises it when below. (Acme's JAX SAC multiplies by α = exp(log α)
    instead; the gradient then has the same sign, scaled by α.)

    Args:
      log_alpha: log α, the trained scalar (a tensor or variable).
      log_prob: log π(a|s) of actions sampled from the current policy, shape [B].
      target_entropy: H̄, commonly -dim(A).

    Returns:
      The scalar loss.
    """
    log_prob = tf.convert_to_tensor(log_prob)
    log_alpha = tf.convert_to_tensor(log_alpha, dtype=log_prob.dtype)
    if log_alpha.shape.rank is not None and log_alpha.shape.rank != 0:
        raise ValueError(f'log_alpha must be a scalar, got shape {log_alpha.shape}.')
    excess = tf.stop_gradient(log_prob + tf.cast(target_entropy, log_prob.dtype))
    return -tf.reduce_mean(log_alpha * excess)


def dpg(dqda: tf.Tensor, action: tf.Tensor, dqda_clipping: Optional[float] = None,
        clip_norm: bool = False) -> tf.Tensor:
    """The deterministic policy gradient loss ½ ‖stop_gradient(a + g) − a‖², per example.

    g = ∂Q(s, a)/∂a at a = μ(s) (taken by the caller, e.g. with a tape), optionally
    clipped: to the ball of radius c per example (`clip_norm`) or to [−c, c] per
    component. The loss's gradient with respect to the policy parameters θ is
    −g · ∂μ(s)/∂θ, the deterministic policy gradient (Silver et al., 2014) with a
    bounded action-gradient, as in trfl's and Acme's `dpg`. The critic is not in
    the loss's graph, so its gradient reaches the policy only.

    Args:
      dqda: ∂Q/∂a at the policy's actions, shape [B, A].
      action: the policy's actions μ(s), shape [B, A], differentiable in θ.
      dqda_clipping: c > 0, or None for no clipping.
      clip_norm: clip the per-example norm of g to c instead of its components.

    Returns:
      The per-example loss, shape [B].
    """
    if dqda_clipping is not None and not dqda_clipping > 0:
        raise ValueError(f'dqda_clipping must be > 0 or None, got {dqda_clipping!r}.')
    action = tf.convert_to_tensor(action)
    dqda = tf.convert_to_tensor(dqda, dtype=action.dtype)
    common.check_same_shape([('action', action), ('dqda', dqda)])
    if dqda_clipping is not None:
        if clip_norm:
            dqda = tf.clip_by_norm(dqda, dqda_clipping, axes=[-1])
        else:
            dqda = tf.clip_by_value(dqda, -dqda_clipping, dqda_clipping)
    target = tf.stop_gradient(action + dqda)
    return 0.5 * tf.reduce_sum(tf.square(target - action), axis=-1)


def _same_shape_tensors(**named):
    """Converts the tensors to the first one's dtype and checks their shapes agree."""
    names = list(named)
    first = tf.convert_to_tensor(named[names[0]])
    tensors = [first] + [tf.convert_to_tensor(named[name], dtype=first.dtype)
                         for name in names[1:]]
    common.check_same_shape(list(zip(names, tensors)))
    return tensors
