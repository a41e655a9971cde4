"""Modules that map network outputs into the bounds of a `BoundedArray` action spec."""

from typing import Tuple, Union

import numpy as np
import sonnet as snt
import tensorflow as tf
import tensorflow_probability as tfp

from troupe import specs

tfd = tfp.distributions
tfb = tfp.bijectors


def _bounds(spec: specs.BoundedArray, owner: str,
            finite: bool) -> Tuple[np.ndarray, np.ndarray]:
    """Returns the spec's minimum and maximum broadcast to its shape, validated."""
    if not (hasattr(spec, 'minimum') and hasattr(spec, 'maximum')):
        raise TypeError(f'{owner} expects a specs.BoundedArray, got {spec!r}.')
    minimum = np.broadcast_to(np.asarray(spec.minimum), spec.shape)
    maximum = np.broadcast_to(np.asarray(spec.maximum), spec.shape)
    if finite and not (np.all(np.isfinite(minimum)) and np.all(np.isfinite(maximum))):
        raise ValueError(f'{owner} needs finite bounds, got minimum={spec.minimum!r}, '
                         f'maximum={spec.maximum!r}.')
    if np.any(minimum > maximum):
        raise ValueError(f'{owner} needs minimum <= maximum, got '
                         f'minimum={spec.minimum!r}, maximum={spec.maximum!r}.')
    return minimum, maximum


def _affine(unit: tf.Tensor, scale: np.ndarray, offset: np.ndarray) -> tf.Tensor:
    """unit · scale + offset, with the constants in the input's dtype."""
    return unit * tf.cast(scale, unit.dtype) + tf.cast(offset, unit.dtype)


class ClipToSpec(snt.Module):
    """Clips its inputs elementwise to [spec.minimum, spec.maximum]."""

    def __init__(self, spec: specs.BoundedArray, name: str = 'clip_to_spec'):
        super().__init__(name=name)
        self._min, self._max = _bounds(spec, 'ClipToSpec', finite=False)

    def __call__(self, inputs: tf.Tensor) -> tf.Tensor:
        return tf.clip_by_value(inputs, tf.cast(self._min, inputs.dtype),
                                tf.cast(self._max, inputs.dtype))


class RescaleToSpec(snt.Module):
    """Maps inputs in [-1, 1] affinely onto [spec.minimum, spec.maximum]."""

    def __init__(self, spec: specs.BoundedArray, name: str = 'rescale_to_spec'):
        super().__init__(name=name)
        minimum, maximum = _bounds(spec, 'RescaleToSpec', finite=True)
        self._scale = maximum - minimum
        self._offset = minimum

    def __call__(self, inputs: tf.Tensor) -> tf.Tensor:
        unit = 0.5 * (inputs + 1.0)  # [-1, 1] -> [0, 1]
        return _affine(unit, self._scale, self._offset)


class TanhToSpec(snt.Module):
    """Squashes inputs into the bounds: min + (tanh(x) + 1) / 2 · (max − min).

    Given a distribution instead of a tensor, returns the distribution transformed
    by the same map, so that stochastic policies also respect the bounds.
    """

    def __init__(self, spec: specs.BoundedArray, name: str = 'tanh_to_spec'):
        super().__init__(name=name)
        minimum, maximum = _bounds(spec, 'TanhToSpec', finite=True)
        self._scale = maximum - minimum
        self._offset = minimum

    def __call__(self, inputs: Union[tf.Tensor, tfd.Distribution]
                 ) -> Union[tf.Tensor, tfd.Distribution]:
        if isinstance(inputs, tfd.Distribution):
            dtype = inputs.dtype
            half_scale = tf.cast(0.5 * self._scale, dtype)
            bijector = tfb.Chain([
                tfb.Shift(tf.cast(self._offset, dtype) + half_scale),
                tfb.Scale(half_scale),
                tfb.Tanh(),
            ])
            return bijector(inputs)
        unit = 0.5 * (tf.tanh(inputs) + 1.0)  # [0, 1]
        return _affine(unit, self._scale, self._offset)


class ToUnitInterval(snt.Module):
    """Maps actions in [spec.minimum, spec.maximum] affinely onto [-1, 1]
    (the inverse of `networks.RescaleToSpec`)."""

    def __init__(self, action_spec: specs.BoundedArray,
                 name: str = 'to_unit_interval'):
        super().__init__(name=name)
        minimum = np.broadcast_to(action_spec.minimum, action_spec.shape)
        maximum = np.broadcast_to(action_spec.maximum, action_spec.shape)
        self._middle = (maximum + minimum) / 2.0
        self._half_range = (maximum - minimum) / 2.0

    def __call__(self, action: tf.Tensor) -> tf.Tensor:
        middle = tf.cast(self._middle, action.dtype)
        return (action - middle) / tf.cast(self._half_range, action.dtype)
