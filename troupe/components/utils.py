"""TensorFlow helpers used across troupe (imported by users as `tf2_utils`).

They convert nests between numpy and tensors, add and remove batch dimensions,
and build a Sonnet module's variables from specs.
"""

from typing import Any, Optional, Sequence

import dm_env
import numpy as np
import sonnet as snt
import tensorflow as tf
import tree

from troupe import types

# Attribute under which `create_variables` records a module's input signature,
# so that savers can trace the module later without being told the specs again.
INPUT_SIGNATURE_ATTR = '_troupe_input_signature'


def add_batch_dim(nest: types.NestedTensor) -> types.NestedTensor:
    """Adds a leading batch dimension of size 1 to every leaf (as tensors)."""
    return tree.map_structure(lambda x: tf.expand_dims(x, axis=0), nest)


def squeeze_batch_dim(nest: types.NestedTensor) -> types.NestedTensor:
    """Removes a leading batch dimension of size 1 from every leaf."""
    return tree.map_structure(lambda x: tf.squeeze(x, axis=0), nest)


def _flatten_batch(x: tf.Tensor) -> tf.Tensor:
    """[B, ...] -> [B, prod(...)], keeping the static width when it is known."""
    trailing = x.shape[1:]
    width = trailing.num_elements() if trailing.is_fully_defined() else -1
    return tf.reshape(x, [-1 if width != -1 else tf.shape(x)[0], width])


def batch_concat(inputs: types.NestedTensor) -> tf.Tensor:
    """Flattens every leaf to [batch, -1] and concatenates them on the last axis."""
    flat = [_flatten_batch(tf.convert_to_tensor(x)) for x in tree.flatten(inputs)]
    if not flat:
        raise ValueError('batch_concat needs at least one tensor, got an empty nest.')
    flat = [tf.cast(x, flat[0].dtype) if x.dtype != flat[0].dtype else x for x in flat]
    return tf.concat(flat, axis=-1)


def to_numpy(nest: types.NestedTensor) -> types.NestedArray:
    """Converts every tensor leaf of a nest to a numpy array."""
    return tree.map_structure(
        lambda x: x.numpy() if isinstance(x, (tf.Tensor, tf.Variable)) else x, nest)


def to_numpy_squeeze(nest: types.NestedTensor, axis: int = 0) -> types.NestedArray:
    """Converts a nest to numpy and removes the (size 1) batch axis."""
    return tree.map_structure(lambda x: np.squeeze(np.asarray(x), axis=axis),
                              to_numpy(nest))


def batch_spec(spec: types.NestedSpec, batch_size: Optional[int] = None):
    """Returns `tf.TensorSpec`s of `spec` with a leading batch dimension."""
    return tree.map_structure(
        lambda s: tf.TensorSpec((batch_size,) + tuple(s.shape), tf.as_dtype(s.dtype)),
        spec)


def zeros_like(spec: types.NestedSpec, batch_size: Optional[int] = None):
    """Returns numpy zeros shaped like `spec`, with a batch dimension if given."""
    def _zeros(s):
        shape = tuple(s.shape) if batch_size is None else (batch_size,) + tuple(s.shape)
        return np.zeros(shape, dtype=tf.as_dtype(s.dtype).as_numpy_dtype)
    return tree.map_structure(_zeros, spec)


def create_variables(network: snt.Module,
                     input_spec: Sequence[types.NestedSpec]) -> Optional[Any]:
    """Builds a module's variables by calling it once on zeros shaped like `input_spec`.

    Args:
      network: the Sonnet module (or callable) to build.
      input_spec: one nest of specs per positional argument of the module's
        `__call__` (without batch dimension).

    Returns:
      The spec of the output (a nest of `tf.TensorSpec` without batch dimension),
      or None when the output is not made of tensors (e.g. a distribution).
    """
    if not isinstance(input_spec, (list, tuple)):
        raise TypeError(
            'create_variables expects a list with one spec nest per argument, '
            f'got {type(input_spec).__name__}: {input_spec!r}.')
    dummy = [tree.map_structure(tf.convert_to_tensor, zeros_like(spec, batch_size=1))
             for spec in input_spec]
    output = network(*dummy)
    setattr(network, INPUT_SIGNATURE_ATTR, [batch_spec(s) for s in input_spec])
    if isinstance(output, (tf.Tensor, np.ndarray)) or (
            tree.is_nested(output) and all(
                isinstance(x, tf.Tensor) for x in tree.flatten(output))):
        return tree.map_structure(
            lambda t: tf.TensorSpec(t.shape[1:], t.dtype), output)
    return None


def restart_timestep(timestep: dm_env.TimeStep) -> bool:
    """True when `timestep` begins an episode."""
    return timestep.step_type == dm_env.StepType.FIRST
