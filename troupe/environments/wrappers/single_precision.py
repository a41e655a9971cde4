"""Casts an environment's 64-bit numbers to 32 bits, as TensorFlow models prefer."""

from typing import Any

import dm_env
import numpy as np
import tree
from dm_env import specs

from troupe.environments.wrappers import base

_SINGLE = {np.dtype(np.float64): np.dtype(np.float32),
           np.dtype(np.int64): np.dtype(np.int32),
           np.dtype(np.uint64): np.dtype(np.uint32)}


def convert_spec(spec: Any) -> Any:
    """Returns `spec` (possibly nested) with 64-bit dtypes replaced by 32-bit ones."""
    def convert(leaf):
        if not isinstance(leaf, specs.Array) or leaf.dtype not in _SINGLE:
            return leaf
        dtype = _SINGLE[leaf.dtype]
        if isinstance(leaf, specs.DiscreteArray):
            return leaf.replace(dtype=dtype)
        if isinstance(leaf, specs.BoundedArray):
            with np.errstate(over='ignore'):  # Huge float64 bounds become +-inf.
                return specs.BoundedArray(leaf.shape, dtype,
                                          leaf.minimum.astype(dtype),
                                          leaf.maximum.astype(dtype), name=leaf.name)
        return leaf.replace(dtype=dtype)
    return tree.map_structure(convert, spec)


def convert_value(value: Any) -> Any:
    """Returns `value` (possibly nested) with 64-bit numbers cast to 32 bits.

    Python floats and ints become 0-d float32/int32 arrays; None stays None.
    """
    def convert(leaf):
        if leaf is None:
            return None
        array = np.asarray(leaf)
        dtype = _SINGLE.get(array.dtype)
        return array if dtype is None else array.astype(dtype)
    return tree.map_structure(convert, value)


class SinglePrecisionWrapper(base.EnvironmentWrapper):
    """float64 -> float32 and int64 -> int32 in observations, rewards, discounts
    and all four specs (actions pass through unchanged)."""

    def _convert(self, timestep: dm_env.TimeStep) -> dm_env.TimeStep:
        return timestep._replace(observation=convert_value(timestep.observation),
                                 reward=convert_value(timestep.reward),
                                 discount=convert_value(timestep.discount))

    def reset(self) -> dm_env.TimeStep:
        return self._convert(self._environment.reset())

    def step(self, action) -> dm_env.TimeStep:
        return self._convert(self._environment.step(action))

    def observation_spec(self):
        return convert_spec(self._environment.observation_spec())

    def action_spec(self):
        return convert_spec(self._environment.action_spec())

    def reward_spec(self):
        return convert_spec(self._environment.reward_spec())

    def discount_spec(self):
        return convert_spec(self._environment.discount_spec())
