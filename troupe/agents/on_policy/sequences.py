"""Batches of on-policy sequences made ready for an actor-critic loss.

Actors write T + 1 steps every T steps (zero-padded at episode ends) through a
`SequenceAdder`; `prepare_sequences` turns a time-major batch of them into the
rewards and discounts the return estimators need, with the steps that are not
real transitions masked.
"""

from typing import NamedTuple, Optional

import tensorflow as tf
import tree

from troupe import types
from troupe.components import adders


class Sequences(NamedTuple):
    """A batch of sequences prepared for an actor-critic loss.

    observation and extras are [T + 1, B, ...]; the rest are [T, B]: the
    T learning steps. On steps that are not real transitions (the final
    observation after an episode's LAST step and the zero padding, mask 0) the
    reward is V(s_t) and the discount 0, so every return estimator yields
    exactly V(s_t) there: it bootstraps an episode cut by a time limit from
    its final observation and carries nothing across the episode's end.
    """
    observation: types.NestedTensor
    extras: types.NestedTensor
    action: tf.Tensor
    reward: tf.Tensor
    discount: tf.Tensor
    mask: tf.Tensor


def time_major(data: adders.Step) -> adders.Step:
    """[B, T, ...] -> [T, B, ...] for every leaf."""
    def swap(x):
        x = tf.convert_to_tensor(x)
        perm = [1, 0] + list(range(2, x.shape.rank))
        return tf.transpose(x, perm)
    return tree.map_structure(swap, data)


def prepare_sequences(data: adders.Step, values: tf.Tensor, discount: float,
                      max_abs_reward: Optional[float] = None) -> Sequences:
    """Learning inputs from a time-major batch of stored sequences.

    Args:
      data: a batch of `adders.Step`s made time-major by `time_major`,
        [T + 1, B, ...], whose extras hold 'mask'.
      values: V(s_t) for all T + 1 steps, time-major [T + 1, B]; no gradient
        flows through the result.
      discount: the agent discount γ; step discounts become γ · d_t.
      max_abs_reward: if set, rewards are clipped to [-c, c].
    """
    values = tf.stop_gradient(values)
    dtype = values.dtype
    mask = tf.cast(data.extras['mask'][:-1], dtype)
    reward = tf.cast(data.reward[:-1], dtype)
    if max_abs_reward is not None:
        reward = tf.clip_by_value(reward, -max_abs_reward, max_abs_reward)
    step_discount = discount * tf.cast(data.discount[:-1], dtype)
    real = mask > 0
    return Sequences(
        observation=data.observation, extras=data.extras,
        action=data.action[:-1],
        reward=tf.where(real, reward, values[:-1]),
        discount=tf.where(real, step_discount, tf.zeros_like(step_discount)),
        mask=mask)
