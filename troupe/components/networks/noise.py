"""Exploration noise for deterministic policies."""

import sonnet as snt
import tensorflow as tf
import tree

from troupe import types


class ClippedGaussian(snt.Module):
    """Adds N(0, stddev²) noise to every action leaf and clips the result to [-1, 1].

    The clip assumes actions in the canonical [-1, 1] range; for other bounds follow
    it with `ClipToSpec` (as DDPG/D4PG behaviour policies do).
    """

    def __init__(self, stddev: float, name: str = 'clipped_gaussian'):
        """Creates the module.

        Args:
          stddev: standard deviation of the added noise (>= 0).
          name: module name.
        """
        super().__init__(name=name)
        if not stddev >= 0:
            raise ValueError(f'ClippedGaussian stddev must be >= 0, got {stddev!r}.')
        self._stddev = float(stddev)

    def __call__(self, inputs: types.NestedTensor) -> types.NestedTensor:
        def add_noise(action: tf.Tensor) -> tf.Tensor:
            noise = tf.random.normal(tf.shape(action), stddev=self._stddev,
                                     dtype=action.dtype)
            return tf.clip_by_value(action + noise, -1.0, 1.0)
        return tree.map_structure(add_noise, inputs)
