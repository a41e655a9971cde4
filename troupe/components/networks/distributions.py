"""`DiscreteValuedDistribution`: a categorical distribution over real-valued atoms."""

from typing import Optional

import tensorflow as tf
import tensorflow_probability as tfp
from tensorflow_probability.python.internal import parameter_properties

tfd = tfp.distributions


class DiscreteValuedDistribution(tfd.Categorical):
    """A categorical distribution whose outcomes are the real numbers `values`.

    Distributional critics (C51, D4PG) predict probabilities over a fixed support
    of atoms; this distribution knows that support, so `mean()`, `variance()`,
    `mode()` and `sample()` are in value space: mean = Σ_i p_i · values_i.
    `logits`, `probs` and `probs_parameter()` are those of the underlying categorical.
    `prob(x)` and `log_prob(x)` take values and use the atom nearest to `x`;
    `cdf(x)` sums the probabilities of the atoms <= x.

    `values` has shape [..., num_atoms] and broadcasts against the logits (or
    probs) of shape [batch..., num_atoms].
    """

    def __init__(self,
                 values: tf.Tensor,
                 logits: Optional[tf.Tensor] = None,
                 probs: Optional[tf.Tensor] = None,
                 validate_args: bool = False,
                 allow_nan_stats: bool = True,
                 name: str = 'DiscreteValuedDistribution'):
        """Creates the distribution.

        Args:
          values: the atoms, shape [..., num_atoms]; a floating-point tensor.
          logits: unnormalised log-probabilities, shape [batch..., num_atoms].
          probs: probabilities instead of logits (pass exactly one of the two).
          validate_args: passed to `tfd.Categorical`.
          allow_nan_stats: passed to `tfd.Categorical`.
          name: distribution name.
        """
        parameters = dict(locals())
        if (logits is None) == (probs is None):
            raise ValueError('DiscreteValuedDistribution needs exactly one of logits or '
                             f'probs, got logits={logits!r}, probs={probs!r}.')
        self._values = tf.convert_to_tensor(values)
        if not self._values.dtype.is_floating:
            raise TypeError('DiscreteValuedDistribution values must be floating point, '
                            f'got dtype {self._values.dtype.name}.')
        params = logits if logits is not None else probs
        num_atoms = tf.compat.dimension_value(tf.convert_to_tensor(params).shape[-1])
        if num_atoms is not None and self._values.shape[-1] not in (None, num_atoms):
            raise ValueError(
                f'DiscreteValuedDistribution values have {self._values.shape[-1]} atoms '
                f'but the logits/probs have {num_atoms} (values shape '
                f'{self._values.shape}, logits/probs shape {params.shape}).')
        super().__init__(logits=logits, probs=probs, dtype=self._values.dtype,
                         validate_args=validate_args, allow_nan_stats=allow_nan_stats,
                         name=name)
        self._parameters = parameters

    @classmethod
    def _parameter_properties(cls, dtype, num_classes=None):
        properties = dict(super()._parameter_properties(dtype, num_classes))
        properties['values'] = parameter_properties.ParameterProperties(
            event_ndims=1,
            default_constraining_bijector_fn=parameter_properties.BIJECTOR_NOT_IMPLEMENTED)
        return properties

    @property
    def values(self) -> tf.Tensor:
        """The atoms: the value each category stands for."""
        return self._values

    def _one_hot(self, indices: tf.Tensor) -> tf.Tensor:
        return tf.one_hot(indices, self._num_categories(), dtype=self._values.dtype)

    def _indices_of(self, x: tf.Tensor) -> tf.Tensor:
        """The index of the atom nearest to each element of `x`."""
        x = tf.convert_to_tensor(x, dtype=self._values.dtype)
        return tf.argmin(tf.abs(x[..., tf.newaxis] - self._values), axis=-1,
                         output_type=tf.int32)

    def _sample_n(self, n, seed=None) -> tf.Tensor:
        categorical = tfd.Categorical(logits=self._logits, probs=self._probs)
        indices = categorical.sample(n, seed=seed)
        return tf.reduce_sum(self._one_hot(indices) * self._values, axis=-1)

    def _log_prob(self, x) -> tf.Tensor:
        categorical = tfd.Categorical(logits=self._logits, probs=self._probs)
        return categorical.log_prob(self._indices_of(x))

    def _mean(self, **kwargs) -> tf.Tensor:
        return tf.reduce_sum(self.probs_parameter() * self._values, axis=-1)

    def _variance(self, **kwargs) -> tf.Tensor:
        deviation = self._values - tf.expand_dims(self._mean(), axis=-1)
        return tf.reduce_sum(self.probs_parameter() * tf.square(deviation), axis=-1)

    def _mode(self, **kwargs) -> tf.Tensor:
        params = self._logits if self._logits is not None else self._probs
        indices = tf.argmax(params, axis=-1, output_type=tf.int32)
        return tf.reduce_sum(self._one_hot(indices) * self._values, axis=-1)

    def _cdf(self, x) -> tf.Tensor:
        x = tf.convert_to_tensor(x, dtype=self._values.dtype)
        below = tf.cast(self._values <= x[..., tf.newaxis], self._values.dtype)
        return tf.reduce_sum(self.probs_parameter() * below, axis=-1)
