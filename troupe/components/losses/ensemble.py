"""The masked TD loss of a Q-ensemble (bootstrapped DQN, Osband et al. 2016).

A pure function of tensors, like the other losses: the learner computes the
ensemble's values and passes them in.
"""

from typing import NamedTuple, Optional

import tensorflow as tf

from troupe.components.losses import value


class EnsembleTDOutput(NamedTuple):
    """What `ensemble_q_learning` returns.

    Attributes:
      loss: the scalar loss (the mean over batch and members).
      member_losses: [K] each member's share, mean over the batch of
        mask · ℓ(δ); `loss` is their mean.
      td_error: [B, K] every member's TD error, masked or not.
    """
    loss: tf.Tensor
    member_losses: tf.Tensor
    td_error: tf.Tensor


def _members_as_batch(x: tf.Tensor) -> tf.Tensor:
    """[B, K, ...] -> [K·B, ...], member-major."""
    x = tf.convert_to_tensor(x)
    perm = [1, 0] + list(range(2, x.shape.rank))
    transposed = tf.transpose(x, perm)
    return tf.reshape(transposed, [-1] + transposed.shape.as_list()[2:])


def ensemble_q_learning(q_tm1: tf.Tensor, a_tm1: tf.Tensor, r_t: tf.Tensor,
                        discount_t: tf.Tensor, q_t_value: tf.Tensor,
                        mask: tf.Tensor, q_t_selector: Optional[tf.Tensor] = None,
                        huber_delta: Optional[float] = None) -> EnsembleTDOutput:
    """Every member's Q-learning TD error against its own target, masked, averaged.

    For member k of K and transition b of B:

        y[b, k] = r_t[b] + discount_t[b] · max_a q_t_value[b, k, a]
                  (double Q, with q_t_selector: q_t_value[b, k, argmax_a
                  q_t_selector[b, k, a]])
        δ[b, k] = y[b, k] − q_tm1[b, k, a_tm1[b]]      (no gradient through y)
        loss = 1/(B·K) · Σ_b Σ_k mask[b, k] · ℓ(δ[b, k])

    with ℓ(δ) = δ²/2, or the Huber loss of `huber_delta`. A transition whose
    mask is 0 for member k contributes nothing to k's loss (nor gradient), so
    each member learns from its own bootstrap sample of the replay; the
    normaliser is B·K whatever the masks, as in bsuite's `boot_dqn` (whose
    loss is δ², twice this one, which changes Adam's steps only through its
    ε).

    Args:
      q_tm1: [B, K, A] online values at the start states.
      a_tm1: [B] actions taken.
      r_t: [B] (n-step) rewards.
      discount_t: [B] bootstrap discounts (0 at termination).
      q_t_value: [B, K, A] target-network values at the next states.
      mask: [B, K] bootstrap weights (0/1 draws).
      q_t_selector: [B, K, A] online values at the next states, for double Q
        (None: plain Q-learning, as bsuite's boot_dqn).
      huber_delta: the Huber loss δ (None: the squared loss).

    Rewards, discounts and the next values are cast to q_tm1's dtype.
    """
    q_tm1, q_t_value = tf.convert_to_tensor(q_tm1), tf.convert_to_tensor(q_t_value)
    mask = tf.convert_to_tensor(mask)
    for name, x in (('q_tm1', q_tm1), ('q_t_value', q_t_value)) + (
            (('q_t_selector', tf.convert_to_tensor(q_t_selector)),)
            if q_t_selector is not None else ()):
        if x.shape.rank != 3:
            raise ValueError(f'{name} must have shape [B, K, A], got {x.shape}.')
    if mask.shape.rank != 2:
        raise ValueError(f'mask must have shape [B, K], got {mask.shape}.')
    num_members = q_tm1.shape[1]
    dtype = q_tm1.dtype
    a_tm1 = tf.convert_to_tensor(a_tm1)
    r_t, discount_t = (tf.cast(x, dtype) for x in (r_t, discount_t))
    q_t_value = tf.cast(q_t_value, dtype)
    if q_t_selector is not None:
        q_t_selector = tf.cast(q_t_selector, dtype)
    for name, x in (('a_tm1', a_tm1), ('r_t', r_t), ('discount_t', discount_t)):
        if x.shape.rank != 1:
            raise ValueError(f'{name} must have shape [B], got {x.shape}.')

    def tiled(x):  # [B] -> [K·B], member-major like _members_as_batch.
        return tf.tile(x, [num_members])

    args = (_members_as_batch(q_tm1), tiled(a_tm1), tiled(r_t), tiled(discount_t),
            _members_as_batch(q_t_value))
    if q_t_selector is None:
        td = value.q_learning(*args)
    else:
        td = value.double_q_learning(*args, _members_as_batch(q_t_selector))
    td_error = tf.transpose(tf.reshape(td.td_error, [num_members, -1]))  # [B, K]
    if huber_delta is None:
        per_item = 0.5 * tf.square(td_error)
    else:
        per_item = value.huber(td_error, huber_delta)
    weighted = tf.cast(mask, per_item.dtype) * per_item
    member_losses = tf.reduce_mean(weighted, axis=0)
    return EnsembleTDOutput(tf.reduce_mean(member_losses), member_losses, td_error)
