"""Heads that return distributions: discrete-valued critics and Gaussian policies."""

from typing import Optional, Union

import numpy as np
import sonnet as snt
import tensorflow as tf
import tensorflow_probability as tfp

from troupe.components.networks.distributions import DiscreteValuedDistribution

tfd = tfp.distributions

Initializer = snt.initializers.Initializer


class DiscreteValuedHead(snt.Module):
    """A linear layer giving logits over `num_atoms` evenly spaced values in [vmin, vmax].

    Returns a `DiscreteValuedDistribution` whose mean is the expected value. With
    vmin and vmax of shape S the atoms have shape S + [num_atoms] and the logits
    [B] + S + [num_atoms].
    """

    def __init__(self,
                 vmin: Union[float, np.ndarray, tf.Tensor],
                 vmax: Union[float, np.ndarray, tf.Tensor],
                 num_atoms: int,
                 w_init: Optional[Initializer] = None,
                 b_init: Optional[Initializer] = None,
                 name: str = 'DiscreteValuedHead'):
        """Creates the head.

        Args:
          vmin: the smallest atom (a scalar, or an array for several critics).
          vmax: the largest atom, same shape as vmin, elementwise > vmin.
          num_atoms: number of atoms (>= 2).
          w_init: weight initializer of the linear layer (Sonnet's default if None).
          b_init: bias initializer of the linear layer (zeros if None).
          name: module name.
        """
        super().__init__(name=name)
        if int(num_atoms) < 2:
            raise ValueError(
                f'DiscreteValuedHead needs num_atoms >= 2, got {num_atoms!r}.')
        vmin = _as_float_tensor(vmin)
        vmax = _as_float_tensor(vmax)
        low, high = tf.get_static_value(vmin), tf.get_static_value(vmax)
        if low is not None and high is not None and not np.all(low < high):
            raise ValueError(f'DiscreteValuedHead needs vmin < vmax, got vmin={low!r}, '
                             f'vmax={high!r}.')
        self._values = tf.linspace(vmin, vmax, int(num_atoms), axis=-1)
        self._values_shape = self._values.shape.as_list()
        self._distributional_layer = snt.Linear(
            int(np.prod(self._values_shape)), w_init=w_init, b_init=b_init)

    @property
    def values(self) -> tf.Tensor:
        """The atoms, shape S + [num_atoms]."""
        return self._values

    def __call__(self, inputs: tf.Tensor) -> DiscreteValuedDistribution:
        logits = self._distributional_layer(inputs)
        logits = tf.reshape(logits, [-1] + self._values_shape)
        values = tf.cast(self._values, logits.dtype)
        return DiscreteValuedDistribution(values=values, logits=logits)


def _as_float_tensor(x) -> tf.Tensor:
    x = tf.convert_to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, tf.float32)


class MultivariateNormalDiagHead(snt.Module):
    """A Gaussian policy head with a diagonal covariance.

    The mean is a linear function of the inputs (optionally squashed by tanh);
    the standard deviation is softplus(linear) rescaled so that zero pre-activations
    give `init_scale`, plus `min_scale` so it never collapses to zero (or the fixed
    `init_scale` when `fixed_scale`).
    """

    def __init__(self,
                 num_dimensions: int,
                 init_scale: float = 0.3,
                 min_scale: float = 1e-6,
                 tanh_mean: bool = False,
                 fixed_scale: bool = False,
                 use_tfd_independent: bool = False,
                 w_init: Optional[Initializer] = None,
                 b_init: Optional[Initializer] = None,
                 name: str = 'MultivariateNormalDiagHead'):
        """Creates the head.

        Args:
          num_dimensions: dimension of the action.
          init_scale: standard deviation at zero pre-activation (> 0).
          min_scale: lower bound added to the standard deviation (>= 0).
          tanh_mean: whether to squash the mean into [-1, 1].
          fixed_scale: whether to use the constant standard deviation `init_scale`.
          use_tfd_independent: return `tfd.Independent(tfd.Normal)` instead of
            `tfd.MultivariateNormalDiag` (same density, cheaper).
          w_init: weight initializer; defaults to VarianceScaling(1e-4), so the
            initial mean is near zero.
          b_init: bias initializer; defaults to zeros.
          name: module name.
        """
        super().__init__(name=name)
        if int(num_dimensions) <= 0:
            raise ValueError('MultivariateNormalDiagHead needs num_dimensions > 0, got '
                             f'{num_dimensions!r}.')
        if not init_scale > 0:
            raise ValueError(
                f'MultivariateNormalDiagHead needs init_scale > 0, got {init_scale!r}.')
        if not min_scale >= 0:
            raise ValueError(
                f'MultivariateNormalDiagHead needs min_scale >= 0, got {min_scale!r}.')
        self._init_scale = float(init_scale)
        self._min_scale = float(min_scale)
        self._tanh_mean = tanh_mean
        self._fixed_scale = fixed_scale
        self._use_tfd_independent = use_tfd_independent

        def make_linear(layer_name: str) -> snt.Linear:
            return snt.Linear(
                int(num_dimensions),
                w_init=w_init or snt.initializers.VarianceScaling(1e-4),
                b_init=b_init or snt.initializers.Zeros(),
                name=layer_name)
        self._mean_layer = make_linear('mean')
        if not fixed_scale:
            self._scale_layer = make_linear('scale')

    def __call__(self, inputs: tf.Tensor) -> tfd.Distribution:
        mean = self._mean_layer(inputs)
        if self._fixed_scale:
            scale = tf.ones_like(mean) * self._init_scale
        else:
            softplus_zero = tf.nn.softplus(tf.zeros([], mean.dtype))
            scale = tf.nn.softplus(self._scale_layer(inputs))
            scale = scale * (self._init_scale / softplus_zero) + self._min_scale
        if self._tanh_mean:
            mean = tf.tanh(mean)
        if self._use_tfd_independent:
            return tfd.Independent(tfd.Normal(loc=mean, scale=scale),
                                   reinterpreted_batch_ndims=1)
        return tfd.MultivariateNormalDiag(loc=mean, scale_diag=scale)
