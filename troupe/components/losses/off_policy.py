"""V-trace off-policy value targets and policy-gradient advantages.

Espeholt et al., 2018, "IMPALA: Scalable Distributed Deep-RL with Importance Weighted
Actor-Learner Architectures", section 4, with the λ of its appendix (as in trfl).
"""

from typing import NamedTuple, Optional, Union

import tensorflow as tf

from troupe.components.losses import common

Scalar = Union[float, tf.Tensor]


class VTraceReturns(NamedTuple):
    """V-trace outputs, both [T, ...] and without gradient.

    vs: the value targets v_s (regress V(x_s) towards them).
    pg_advantages: ρ̄_s (r_s + γ_s v_{s+1} - V(x_s)), the policy-gradient advantages.
    """
    vs: tf.Tensor
    pg_advantages: tf.Tensor


def vtrace(behaviour_log_probs: tf.Tensor,
           target_log_probs: tf.Tensor,
           rewards: tf.Tensor,
           discounts: tf.Tensor,
           values: tf.Tensor,
           bootstrap_value: tf.Tensor,
           clip_rho_threshold: Optional[Scalar] = 1.0,
           clip_pg_rho_threshold: Optional[Scalar] = 1.0,
           lambda_: Scalar = 1.0) -> VTraceReturns:
    """V-trace targets and advantages for a time-major batch of trajectories.

    With ρ_t = π(a_t|x_t) / μ(a_t|x_t) (target over behaviour):
      ρ̄_t = min(ρ̄, ρ_t),  c_t = λ · min(1, ρ_t),
      δ_t = ρ̄_t (r_t + γ_t V(x_{t+1}) - V(x_t)),
      v_t - V(x_t) = δ_t + γ_t c_t (v_{t+1} - V(x_{t+1})),  v_T = V(x_T) = bootstrap,
      pg_advantage_t = min(ρ̄_pg, ρ_t) (r_t + γ_t v_{t+1} - V(x_t)).
    Both outputs are wrapped in `tf.stop_gradient`, as in the paper: v_s is a target
    and the advantage a constant weight on ∇ log π.

    Args:
      behaviour_log_probs: log μ(a_t|x_t) of the actions taken, shape [T, B].
      target_log_probs: log π(a_t|x_t) of the same actions, shape [T, B].
      rewards: r_t, shape [T, B].
      discounts: γ_t (agent discount times environment discount; zero at episode
        ends), shape [T, B].
      values: V(x_t) under the current value function, shape [T, B].
      bootstrap_value: V(x_T), shape [B].
      clip_rho_threshold: ρ̄ >= 0 for the value targets, or None for no clipping.
      clip_pg_rho_threshold: ρ̄ >= 0 for the advantages, or None for no clipping.
      lambda_: λ in [0, 1], mixing in the trace cut c_t.

    Returns:
      VTraceReturns(vs, pg_advantages), each [T, B]. (Any trailing batch shape
      [T, ...] with bootstrap [...] works the same way.)
    """
    common.check_in_range('clip_rho_threshold', clip_rho_threshold, 0.0)
    common.check_in_range('clip_pg_rho_threshold', clip_pg_rho_threshold, 0.0)
    common.check_in_range('lambda_', lambda_, 0.0, 1.0)
    rewards = tf.convert_to_tensor(rewards)
    dtype = rewards.dtype
    behaviour_log_probs = tf.convert_to_tensor(behaviour_log_probs, dtype=dtype)
    target_log_probs = tf.convert_to_tensor(target_log_probs, dtype=dtype)
    discounts = tf.convert_to_tensor(discounts, dtype=dtype)
    values = tf.convert_to_tensor(values, dtype=dtype)
    bootstrap_value = tf.convert_to_tensor(bootstrap_value, dtype=dtype)
    common.check_time_major(rewards, bootstrap_value,
                      behaviour_log_probs=behaviour_log_probs,
                      target_log_probs=target_log_probs,
                      discounts=discounts, values=values)

    rhos = tf.exp(target_log_probs - behaviour_log_probs)
    clipped_rhos = _clip(rhos, clip_rho_threshold)
    cs = tf.cast(lambda_, dtype) * tf.minimum(tf.ones_like(rhos), rhos)
    next_values = common.next_values(values, bootstrap_value)
    deltas = clipped_rhos * (rewards + discounts * next_values - values)
    vs_minus_values = common.reverse_scan(deltas, discounts * cs,
                                    tf.zeros_like(bootstrap_value))
    vs = vs_minus_values + values

    next_vs = common.next_values(vs, bootstrap_value)
    pg_advantages = _clip(rhos, clip_pg_rho_threshold) * (
        rewards + discounts * next_vs - values)
    return VTraceReturns(vs=tf.stop_gradient(vs),
                         pg_advantages=tf.stop_gradient(pg_advantages))


def _clip(rhos: tf.Tensor, threshold: Optional[Scalar]) -> tf.Tensor:
    if threshold is None:
        return rhos
    return tf.minimum(tf.cast(threshold, rhos.dtype), rhos)
