"""Return and advantage estimators over time-major sequences.

All functions take time-major tensors: `rewards`, `discounts` and `values` have shape
[T, ...] (usually [T, B]) and `bootstrap_value` = V(s_T) has shape [...]. `discounts[t]`
is the full discount applied after step t, γ·d_t, so a zero carries an episode end:
nothing after it flows back into steps at or before t. `values[t]` is V(s_t).

No gradient is stopped here; wrap the result in `tf.stop_gradient` to use it as a
regression target. The `_check_*` helpers are shared by the sibling loss modules.
"""

from typing import Union

import numpy as np
import tensorflow as tf

from troupe.components.losses import common

Scalar = Union[float, tf.Tensor]


# ------------------------------------------------------------------ estimators


def discounted_returns(rewards: tf.Tensor, discounts: tf.Tensor,
                       bootstrap_value: tf.Tensor) -> tf.Tensor:
    """Bootstrapped discounted returns G_t = r_t + γ_t · G_{t+1}, with G_T = V(s_T).

    Args:
      rewards: r_t, shape [T, ...].
      discounts: γ_t (agent discount times environment discount), shape [T, ...].
      bootstrap_value: V(s_T), shape [...]; pass zeros for a Monte-Carlo return.

    Returns:
      G_t, shape [T, ...].
    """
    rewards, discounts, bootstrap_value = common.as_tensors(rewards, discounts, bootstrap_value)
    common.check_time_major(rewards, bootstrap_value, discounts=discounts)
    return common.reverse_scan(rewards, discounts, bootstrap_value)


def n_step_bootstrapped_returns(rewards: tf.Tensor, discounts: tf.Tensor,
                                values: tf.Tensor, bootstrap_value: tf.Tensor,
                                n: int) -> tf.Tensor:
    """n-step returns, truncated at the end of the sequence.

    G_t = Σ_{k<m} (Π_{j<k} γ_{t+j}) r_{t+k} + (Π_{j<m} γ_{t+j}) V(s_{t+m}),
    m = min(n, T - t), V(s_T) = bootstrap_value. n = 1 gives the one-step TD target;
    n >= T gives `discounted_returns`.

    Args:
      rewards: r_t, shape [T, ...].
      discounts: γ_t, shape [T, ...].
      values: V(s_t), shape [T, ...].
      bootstrap_value: V(s_T), shape [...].
      n: number of steps, a Python int >= 1.

    Returns:
      G_t, shape [T, ...].
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f'n must be a Python int >= 1, got {n!r}.')
    rewards, discounts, bootstrap_value, values = common.as_tensors(
        rewards, discounts, bootstrap_value, values)
    common.check_time_major(rewards, bootstrap_value, discounts=discounts, values=values)
    n = int(n)
    num_steps = tf.shape(rewards)[0]
    # Past the end, rewards are 0, discounts 1 and every value is V(s_T): the sum then
    # stops at step T and bootstraps from V(s_T), which is the truncation above.
    pad = tf.zeros_like(tf.repeat(bootstrap_value[None], n, axis=0))
    padded_rewards = tf.concat([rewards, pad], axis=0)
    padded_discounts = tf.concat([discounts, pad + 1], axis=0)
    padded_values = tf.concat(
        [values, tf.repeat(bootstrap_value[None], n, axis=0)], axis=0)
    returns = tf.zeros_like(rewards)
    weight = tf.ones_like(rewards)
    for k in range(n):
        returns += weight * padded_rewards[k:k + num_steps]
        weight *= padded_discounts[k:k + num_steps]
    return returns + weight * padded_values[n:n + num_steps]


def td_lambda_returns(rewards: tf.Tensor, discounts: tf.Tensor, values: tf.Tensor,
                      bootstrap_value: tf.Tensor, lambda_: Scalar) -> tf.Tensor:
    """λ-returns G_t = r_t + γ_t · ((1 - λ) V(s_{t+1}) + λ G_{t+1}), G_T = V(s_T).

    λ = 0 gives the one-step TD target, λ = 1 the discounted return.

    Args:
      rewards: r_t, shape [T, ...].
      discounts: γ_t, shape [T, ...].
      values: V(s_t), shape [T, ...].
      bootstrap_value: V(s_T), shape [...].
      lambda_: λ in [0, 1], a scalar or a tensor broadcastable to [T, ...].

    Returns:
      G_t, shape [T, ...].
    """
    common.check_in_range('lambda_', lambda_, 0.0, 1.0)
    rewards, discounts, bootstrap_value, values = common.as_tensors(
        rewards, discounts, bootstrap_value, values)
    common.check_time_major(rewards, bootstrap_value, discounts=discounts, values=values)
    lambda_ = tf.broadcast_to(tf.cast(lambda_, rewards.dtype), tf.shape(rewards))
    next_values = common.next_values(values, bootstrap_value)
    deltas = rewards + discounts * (1.0 - lambda_) * next_values
    return common.reverse_scan(deltas, discounts * lambda_, bootstrap_value)


def generalized_advantage_estimation(rewards: tf.Tensor, discounts: tf.Tensor,
                                     values: tf.Tensor, bootstrap_value: tf.Tensor,
                                     lambda_: Scalar) -> tf.Tensor:
    """Generalized advantage estimates (Schulman et al., 2016).

    δ_t = r_t + γ_t V(s_{t+1}) - V(s_t),  A_t = δ_t + γ_t λ A_{t+1},  A_T = 0.
    A_t + V(s_t) is the λ-return of `td_lambda_returns`, the usual value target.

    Args:
      rewards: r_t, shape [T, ...].
      discounts: γ_t; a zero ends the episode, shape [T, ...].
      values: V(s_t), shape [T, ...].
      bootstrap_value: V(s_T), shape [...].
      lambda_: λ in [0, 1], a scalar or a tensor broadcastable to [T, ...].

    Returns:
      A_t, shape [T, ...].
    """
    common.check_in_range('lambda_', lambda_, 0.0, 1.0)
    rewards, discounts, bootstrap_value, values = common.as_tensors(
        rewards, discounts, bootstrap_value, values)
    common.check_time_major(rewards, bootstrap_value, discounts=discounts, values=values)
    lambda_ = tf.broadcast_to(tf.cast(lambda_, rewards.dtype), tf.shape(rewards))
    deltas = rewards + discounts * common.next_values(values, bootstrap_value) - values
    return common.reverse_scan(deltas, discounts * lambda_, tf.zeros_like(bootstrap_value))
