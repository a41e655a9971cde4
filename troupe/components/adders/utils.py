"""Small helpers shared by the Reverb adders: specs, leaf checks, padding."""

from typing import Any, List, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf
import tree

from troupe import types


def tensor_specs(nest: types.NestedSpec, prefix: str = '',
                 time_dim: bool = False,
                 sequence_length: Optional[int] = None) -> types.NestedTensorSpec:
    """Returns `tf.TensorSpec`s (named by their path) for a nest of spec-likes.

    Args:
      nest: a nest whose leaves have `.shape` and `.dtype` (dm_env specs,
        `tf.TensorSpec`s, ...).
      prefix: a name prepended to every leaf's path.
      time_dim: whether to add a leading time dimension.
      sequence_length: the size of that time dimension (None: any length).
    """
    def _spec(path: Tuple[Any, ...], spec: Any) -> tf.TensorSpec:
        shape = tuple(spec.shape)
        if time_dim:
            shape = (sequence_length,) + shape
        name = '/'.join(str(p) for p in (prefix,) + tuple(path) if p != '')
        return tf.TensorSpec(shape=shape, dtype=tf.as_dtype(spec.dtype),
                             name=name or None)
    return tree.map_structure_with_path(_spec, nest)


def numpy_dtype(dtype: Any) -> np.dtype:
    """The numpy dtype of a numpy, TensorFlow or Python dtype."""
    return np.dtype(tf.as_dtype(dtype).as_numpy_dtype)


def flatten_checked(field: str, value: Any, num_leaves: int) -> List[Any]:
    """Flattens `value` and checks it has as many leaves as the first step had.

    Adders fix the layout of their columns on the first step; a nest that grows
    or shrinks later would silently mix fields, so it is rejected here.
    """
    flat = tree.flatten(value)
    if len(flat) != num_leaves:
        raise ValueError(
            f'The {field} has {len(flat)} leaves ({value!r}) but earlier steps '
            f'had {num_leaves}; an adder needs the same structure at every step.')
    return flat


def flatten_extras(extras: Any) -> List[Any]:
    """Returns the leaves of `extras`; `None` and empty nests mean no extras."""
    if extras is None:
        return []
    return tree.flatten(extras)


def flatten_discount(discount: Any, last: bool,
                     previous: Optional[Sequence[Any]]) -> List[Any]:
    """Returns the leaves of a step's discount, conforming a terminal scalar.

    `dm_env.termination` always gives the Python float 0.0, which does not match
    environments whose discounts are nested, arrays or float32. On a LAST step,
    a scalar discount is therefore broadcast to the shape, dtype and number of
    leaves of the previous step's discount (`previous`), as Acme's adders used
    to do for structure; Reverb would otherwise reject the step.
    """
    if last and previous is not None and not tree.is_nested(discount):
        if len(previous) != 1 or np.shape(previous[0]) != np.shape(discount) \
                or np.asarray(previous[0]).dtype != np.asarray(discount).dtype:
            return [np.full(np.shape(p), discount, dtype=np.asarray(p).dtype)
                    for p in previous]
    return tree.flatten(discount)


def zeros_like_leaves(leaves: Sequence[Any]) -> List[np.ndarray]:
    """Zeros with the shape and dtype of each leaf (Python scalars included)."""
    return [np.zeros_like(x) for x in leaves]


def stack_rows(rows: Sequence[Sequence[Any]]) -> List[np.ndarray]:
    """Stacks a list of flat rows column by column into time-major arrays."""
    return [np.stack([np.asarray(x) for x in column]) for column in zip(*rows)]


def nest_skeleton(nest: Any) -> Any:
    """The structure of `nest` with `None` leaves (kept to unflatten data later)."""
    return tree.map_structure(lambda _: None, nest)
