"""Policy-gradient, entropy and actor-critic (A2C / IMPALA) losses.

Minimising these losses with gradient descent follows the policy gradient
E[∇ log π(a|s) · A] and raises the policy's entropy.
"""

from typing import NamedTuple, Optional, Union

import tensorflow as tf

from troupe.components.losses import common

Scalar = Union[float, tf.Tensor]


class ActorCriticLoss(NamedTuple):
    """Scalar terms of an actor-critic loss.

    loss: policy + baseline_cost · value + entropy_cost · entropy (minimise this).
    policy: mean of -log π(a|s) · A.
    value: mean of 0.5 · (G - V(s))².
    entropy: mean of -H(π(·|s)).
    """
    loss: tf.Tensor
    policy: tf.Tensor
    value: tf.Tensor
    entropy: tf.Tensor


def policy_gradient_loss(log_probs: tf.Tensor, advantages: tf.Tensor) -> tf.Tensor:
    """Elementwise REINFORCE loss -log π(a|s) · stop_gradient(A).

    Args:
      log_probs: log π(a|s) of the actions taken, any shape (e.g. [T, B] or [B]);
        from any policy distribution, discrete or continuous.
      advantages: A, the same shape; treated as a constant.

    Returns:
      The per-element loss, the shape of log_probs.
    """
    log_probs = tf.convert_to_tensor(log_probs)
    advantages = tf.convert_to_tensor(advantages, dtype=log_probs.dtype)
    common.check_same_shape([('log_probs', log_probs), ('advantages', advantages)])
    return -log_probs * tf.stop_gradient(advantages)


def discrete_policy_gradient_loss(logits: tf.Tensor, actions: tf.Tensor,
                                  advantages: tf.Tensor) -> tf.Tensor:
    """`policy_gradient_loss` for a softmax policy, from logits and action indices.

    Args:
      logits: policy logits, shape [..., A].
      actions: integer actions taken, shape [...].
      advantages: A, shape [...]; treated as a constant.

    Returns:
      The per-element loss -log softmax(logits)[a] · A, shape [...].
    """
    logits = tf.convert_to_tensor(logits)
    return policy_gradient_loss(_log_prob_of(logits, actions), advantages)


def entropy_loss(logits: tf.Tensor) -> tf.Tensor:
    """Elementwise negative entropy of a softmax policy, -H = Σ_a π(a) log π(a).

    Args:
      logits: policy logits, shape [..., A].

    Returns:
      -H(π), shape [...]; minimising it raises the entropy.
    """
    logits = tf.convert_to_tensor(logits)
    log_policy = tf.nn.log_softmax(logits)
    return tf.reduce_sum(tf.exp(log_policy) * log_policy, axis=-1)


def actor_critic_loss(logits: tf.Tensor,
                      actions: tf.Tensor,
                      values: tf.Tensor,
                      returns: tf.Tensor,
                      advantages: Optional[tf.Tensor] = None,
                      baseline_cost: Scalar = 1.0,
                      entropy_cost: Scalar = 0.01) -> ActorCriticLoss:
    """The A2C / IMPALA loss for a softmax policy with a state-value baseline.

    loss = mean(-log π(a|s) · A) + c_v · mean(0.5 (G - V(s))²) + c_e · mean(-H(π)),
    with G and A held constant. A2C: `returns` are n-step or λ-returns and A
    defaults to G - V(s). IMPALA: `returns` = vtrace `vs` and `advantages` = vtrace
    `pg_advantages`, baseline_cost = 0.5 as in the paper's released agent.
    Means run over every element (all time steps and batch entries).

    Args:
      logits: policy logits, shape [..., A] (e.g. [T, B, A]).
      actions: integer actions taken, shape [...].
      values: V(s) from the network being trained, shape [...].
      returns: value targets G, shape [...].
      advantages: A, shape [...]; None for G - V(s).
      baseline_cost: c_v >= 0, the weight of the value term.
      entropy_cost: c_e >= 0, the weight of the entropy term.

    Returns:
      ActorCriticLoss(loss, policy, value, entropy), all scalars; the terms are
      unweighted.
    """
    common.check_in_range('baseline_cost', baseline_cost, 0.0)
    common.check_in_range('entropy_cost', entropy_cost, 0.0)
    logits = tf.convert_to_tensor(logits)
    dtype = logits.dtype
    values = tf.convert_to_tensor(values, dtype=dtype)
    returns = tf.stop_gradient(tf.convert_to_tensor(returns, dtype=dtype))
    common.check_same_shape([('values', values), ('returns', returns)])
    if advantages is None:
        advantages = returns - values
    advantages = tf.stop_gradient(tf.convert_to_tensor(advantages, dtype=dtype))
    common.check_same_shape([('values', values), ('advantages', advantages)])

    log_probs = _log_prob_of(logits, actions)
    common.check_same_shape([('values', values), ('actions', log_probs)])  # same shape
    policy = tf.reduce_mean(policy_gradient_loss(log_probs, advantages))
    value = tf.reduce_mean(0.5 * tf.square(returns - values))
    entropy = tf.reduce_mean(entropy_loss(logits))
    loss = (policy + tf.cast(baseline_cost, dtype) * value
            + tf.cast(entropy_cost, dtype) * entropy)
    return ActorCriticLoss(loss=loss, policy=policy, value=value, entropy=entropy)


def _log_prob_of(logits: tf.Tensor, actions: tf.Tensor) -> tf.Tensor:
    """log softmax(logits)[..., a] for integer actions of shape logits.shape[:-1]."""
    actions = tf.convert_to_tensor(actions)
    if actions.dtype.is_floating:
        raise TypeError(
            f'actions must be integer indices, got dtype {actions.dtype.name}.')
    if actions.dtype not in (tf.int32, tf.int64):
        actions = tf.cast(actions, tf.int32)
    if logits.shape.rank is not None and not actions.shape.is_compatible_with(
            logits.shape[:-1]):
        raise ValueError(
            f'actions has shape {actions.shape} but logits has shape {logits.shape}; '
            f'expected actions of shape {logits.shape[:-1]}.')
    return -tf.nn.sparse_softmax_cross_entropy_with_logits(labels=actions, logits=logits)
