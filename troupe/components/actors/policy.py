"""Compiling a policy network into a fast, fixed-signature single-step function."""

from typing import Callable, Optional

import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp
import tree

from troupe import types

tfd = tfp.distributions


def sample_if_distribution(output):
    """Samples a tfd.Distribution; passes tensors through unchanged."""
    if isinstance(output, tfd.Distribution):
        return output.sample()
    return output


def signature_of(nest: types.NestedArray, batched: bool = False):
    """`tf.TensorSpec`s matching the shapes and dtypes of a nest of arrays."""
    def _spec(x):
        x = np.asarray(x)
        shape = (None,) + x.shape[1:] if batched else x.shape
        return tf.TensorSpec(shape, tf.as_dtype(x.dtype))
    return tree.map_structure(_spec, nest)


def describe_mismatch(expected, observation, batched: bool = False) -> str:
    """A readable description of how `observation` differs from the signature."""
    got = signature_of(observation, batched)
    keep = ('the dtype and the shape after the batch axis'
            if batched else 'the shape and dtype')
    return (f'the policy was compiled for observations {expected} but received '
            f'{got}; observations must keep {keep} of the first one.')


def to_numpy_nest(output) -> types.NestedArray:
    """Tensor (or nest of tensors) -> numpy, with a fast path for a single tensor."""
    if isinstance(output, tf.Tensor):
        return output.numpy()
    return tree.map_structure(lambda t: t.numpy(), output)


def compile_once(make_fn: Callable, example_args, batched: bool = False) -> Callable:
    """Traces `make_fn()` once with the signature of `example_args`.

    Returns the concrete function: calling it skips tf.function's signature
    dispatch on every step, the largest avoidable cost on the acting path. With
    `batched`, the leading axis of every argument may have any size.
    """
    signature = [signature_of(arg, batched) for arg in example_args]
    fn = tf.function(make_fn(), input_signature=signature, autograph=False)
    return fn.get_concrete_function(*signature)


def flat_call(concrete: Callable, expected: Optional[object], *args,
              batched: bool = False):
    """Calls a concrete function with nests, raising a clear error on mismatch.

    `expected` is the signature of the first argument (`batched` as compiled).
    """
    try:
        return concrete(*args)
    except (TypeError, ValueError, tf.errors.InvalidArgumentError) as error:
        if expected is not None and _mismatch(expected, args[0], batched):
            raise ValueError(describe_mismatch(expected, args[0], batched)) from error
        raise


def _mismatch(expected, observation, batched: bool) -> bool:
    try:
        return signature_of(observation, batched) != expected
    except (IndexError, TypeError, ValueError):  # E.g. a scalar given as a batch.
        return True
