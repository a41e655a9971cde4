"""Common types: nest aliases and the Transition record written by adders."""

from typing import Any, Callable, Iterable, Mapping, NamedTuple, Union

import dm_env
import numpy as np
import tensorflow as tf

# A nest (dm-tree structure) of numpy arrays, tensors or specs.
NestedArray = Any
NestedTensor = Any
NestedSpec = Any
NestedTensorSpec = Any
Nest = Union[NestedArray, NestedTensor, NestedSpec]

TensorTransformation = Callable[[NestedTensor], NestedTensor]
TensorValuedCallable = Callable[..., NestedTensor]

Number = Union[int, float, np.number]
LoggingData = Mapping[str, Any]

TimeStep = dm_env.TimeStep
Tensor = tf.Tensor


class Transition(NamedTuple):
    """A (possibly n-step) transition as written by `NStepTransitionAdder`."""
    observation: NestedArray
    action: NestedArray
    reward: NestedArray
    discount: NestedArray
    next_observation: NestedArray
    extras: NestedArray = ()


Batch = Iterable[Transition]
