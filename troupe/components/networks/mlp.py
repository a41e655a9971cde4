"""Feed-forward torsos for vector observations: `LayerNormMLP`, a near-zero
linear layer and `FlattenObservation`."""

from typing import Callable, Optional, Sequence

import sonnet as snt
import tensorflow as tf

from troupe import types
from troupe.components import utils as tf2_utils


def uniform_initializer() -> snt.initializers.Initializer:
    """The fan-out uniform initializer Acme's continuous-control torsos use."""
    return snt.initializers.VarianceScaling(
        scale=0.333, mode='fan_out', distribution='uniform')


class NearZeroInitializedLinear(snt.Linear):
    """A linear layer with near-zero weights and zero biases.

    Used as the last layer of a policy so that its first outputs are close to zero
    (an untrained deterministic policy then acts near the middle of its range).
    """

    def __init__(self, output_size: int, scale: float = 1e-4,
                 name: Optional[str] = None):
        """Creates the layer.

        Args:
          output_size: number of outputs.
          scale: variance scale of the fan-in truncated-normal weight initializer.
          name: optional module name.
        """
        if scale <= 0:
            raise ValueError(
                f'NearZeroInitializedLinear scale must be > 0, got {scale!r}.')
        super().__init__(output_size,
                         w_init=snt.initializers.VarianceScaling(scale),
                         name=name)


class FlattenObservation(snt.Module):
    """Flattens and concatenates (nested) observations to [B, D] features
    (`utils.batch_concat`), e.g. in front of an `snt.nets.MLP`."""

    def __init__(self, name: str = 'flatten_observation'):
        super().__init__(name=name)

    def __call__(self, observations: types.NestedTensor) -> tf.Tensor:
        return tf2_utils.batch_concat(observations)


class LayerNormMLP(snt.Module):
    """An MLP whose first layer is Linear, LayerNorm and tanh.

    The normalised, bounded first layer keeps the torso well-conditioned on
    unnormalised observations; the remaining layers form a plain MLP. Nested
    observations are flattened and concatenated first (`batch_concat`).
    """

    def __init__(self,
                 layer_sizes: Sequence[int],
                 w_init: Optional[snt.initializers.Initializer] = None,
                 activation: Callable[[tf.Tensor], tf.Tensor] = tf.nn.elu,
                 activate_final: bool = False,
                 name: str = 'feedforward_mlp_torso'):
        """Creates the torso.

        Args:
          layer_sizes: output size of every layer; must be non-empty.
          w_init: weight initializer of every layer; defaults to a fan-out uniform
            variance-scaling initializer with scale 0.333.
          activation: non-linearity between the layers after the first.
          activate_final: whether to apply `activation` after the last layer.
          name: module name.
        """
        super().__init__(name=name)
        layer_sizes = list(layer_sizes)
        if not layer_sizes or any(int(s) <= 0 for s in layer_sizes):
            raise ValueError(
                f'LayerNormMLP expects a non-empty sequence of positive layer sizes, '
                f'got {layer_sizes!r}.')
        self._network = snt.Sequential([
            snt.Linear(layer_sizes[0], w_init=w_init or uniform_initializer()),
            snt.LayerNorm(axis=slice(1, None), create_scale=True, create_offset=True),
            tf.nn.tanh,
            snt.nets.MLP(layer_sizes[1:],
                         w_init=w_init or uniform_initializer(),
                         activation=activation,
                         activate_final=activate_final),
        ])

    def __call__(self, observations: types.NestedTensor) -> tf.Tensor:
        """Maps a batch of (nested) observations to [B, layer_sizes[-1]] features."""
        return self._network(tf2_utils.batch_concat(observations))
