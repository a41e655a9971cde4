"""Helpers shared by the loss functions: static input checks and time-major scans."""

from typing import Sequence, Tuple

import numpy as np
import tensorflow as tf


def check_same_shape(named: Sequence[Tuple[str, tf.Tensor]]) -> None:
    """Raises ValueError unless every tensor's static shape matches the first's."""
    first_name, first = named[0]
    for name, tensor in named[1:]:
        if not tensor.shape.is_compatible_with(first.shape):
            raise ValueError(
                f'{name} has shape {tensor.shape} but {first_name} has shape '
                f'{first.shape}; expected the same shape.')


def check_in_range(name: str, value, low: float, high: float = np.inf) -> None:
    """Raises ValueError if `value` is known at trace time and outside [low, high]."""
    if value is None:
        return
    static = tf.get_static_value(value)
    if static is None:
        return
    array = np.asarray(static, dtype=np.float64)
    if np.any(np.isnan(array)) or np.any(array < low) or np.any(array > high):
        expected = f'>= {low}' if high == np.inf else f'in [{low}, {high}]'
        raise ValueError(f'{name} must be {expected}, got {static!r}.')


def check_time_major(rewards: tf.Tensor, bootstrap_value: tf.Tensor,
                      **same_as_rewards: tf.Tensor) -> None:
    """Checks rewards is [T, ...], the others match it and bootstrap_value is [...]."""
    if rewards.shape.rank is not None and rewards.shape.rank < 1:
        raise ValueError(f'rewards must be time-major with shape [T, ...], got shape '
                         f'{rewards.shape}.')
    check_same_shape([('rewards', rewards)] + list(same_as_rewards.items()))
    if rewards.shape.rank is not None and not bootstrap_value.shape.is_compatible_with(
            rewards.shape[1:]):
        raise ValueError(
            f'bootstrap_value has shape {bootstrap_value.shape} but rewards has shape '
            f'{rewards.shape}; expected bootstrap_value of shape {rewards.shape[1:]}.')


def reverse_scan(deltas: tf.Tensor, decays: tf.Tensor, last: tf.Tensor) -> tf.Tensor:
    """acc_t = deltas_t + decays_t · acc_{t+1} for t = T-1 … 0, with acc_T = last."""
    return tf.scan(lambda acc, x: x[0] + x[1] * acc, (deltas, decays),
                   initializer=last, reverse=True)


def as_tensors(rewards, discounts, bootstrap_value, values=None):
    rewards = tf.convert_to_tensor(rewards)
    dtype = rewards.dtype
    discounts = tf.convert_to_tensor(discounts, dtype=dtype)
    bootstrap_value = tf.convert_to_tensor(bootstrap_value, dtype=dtype)
    if values is None:
        return rewards, discounts, bootstrap_value
    return rewards, discounts, bootstrap_value, tf.convert_to_tensor(values, dtype=dtype)


def next_values(values: tf.Tensor, bootstrap_value: tf.Tensor) -> tf.Tensor:
    """V(s_{t+1}) for t in [0, T): values shifted by one with the bootstrap appended."""
    return tf.concat([values[1:], bootstrap_value[None]], axis=0)
