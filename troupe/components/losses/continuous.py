"""Targets and losses for continuous-control actor-critics: DDPG, TD3 and SAC.

Batch-major: every per-example input has shape [B] (Q-values, rewards, discounts,
log-probabilities) or [B, A] (actions). Critic targets are returned under
`tf.stop_gradient`; the critic loss is then, e.g., mean((Q(s, a) - target)²).
"""

from typing import Any, Union

import numpy as np
import tensorflow as tf
import tree

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


def deterministic_policy_gradient_loss(q_values: tf.Tensor) -> tf.Tensor:
    """DDPG's actor loss -mean(Q(s, μ(s))).

    Its gradient through the critic is the deterministic policy gradient
    -E[∇_a Q(s, a)|_{a=μ(s)} ∇_θ μ(s)] (Silver et al., 2014).

    Args:
      q_values: Q(s, μ(s)) computed with the policy's actions, shape [B].

    Returns:
      The scalar loss.
    """
    return -tf.reduce_mean(tf.convert_to_tensor(q_values))


def soft_update_values(target: Nest, online: Nest, tau: Scalar) -> Nest:
    """Polyak averaging (1 - τ) · target + τ · online, leaf by leaf.

    Pure: returns the new values and assigns nothing. To update variables in place:
      for v, new in zip(target_vars, soft_update_values(target_vars, online_vars, τ)):
          v.assign(new)

    Args:
      target: a tensor or a nest (e.g. a list) of tensors or variables.
      online: the same structure and shapes.
      tau: τ in [0, 1], the weight of the online values (τ = 1 copies them).

    Returns:
      The new target values, with the structure of `target`.
    """
    common.check_in_range('tau', tau, 0.0, 1.0)
    try:
        tree.assert_same_structure(target, online)
    except (ValueError, TypeError):
        outline = lambda nest: tree.map_structure(lambda _: '*', nest)  # noqa: E731
        raise ValueError(f'target and online must have the same nested structure, got '
                         f'target {outline(target)} and online {outline(online)}.'
                         ) from None

    def update(path, old, new):
        where = ''.join(f'[{key!r}]' for key in path)
        old = tf.convert_to_tensor(old)
        new = tf.convert_to_tensor(new, dtype=old.dtype)
        common.check_same_shape([(f'target{where}', old), (f'online{where}', new)])
        weight = tf.cast(tau, old.dtype)
        return (1.0 - weight) * old + weight * new

    return tree.map_structure_with_path(update, target, online)


def _same_shape_tensors(**named):
    """Converts the tensors to the first one's dtype and checks their shapes agree."""
    names = list(named)
    first = tf.convert_to_tensor(named[names[0]])
    tensors = [first] + [tf.convert_to_tensor(named[name], dtype=first.dtype)
                         for name in names[1:]]
    common.check_same_shape(list(zip(names, tensors)))
    return tensors
