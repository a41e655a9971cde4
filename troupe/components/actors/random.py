"""RandomActor: uniformly random actions within an action spec (a baseline)."""

from typing import Optional

import numpy as np
import tree
from dm_env import specs as dm_specs

from troupe import types
from troupe.components.actors.base import AdderActor
from troupe.components.adders.base import Adder


def _sampler(spec, rng: np.random.Generator):
    """A function returning one uniform sample of `spec`."""
    if isinstance(spec, dm_specs.DiscreteArray):
        return lambda: np.asarray(rng.integers(spec.num_values), dtype=spec.dtype)
    if isinstance(spec, dm_specs.BoundedArray):
        low = np.broadcast_to(spec.minimum, spec.shape)
        high = np.broadcast_to(spec.maximum, spec.shape)
        if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
            raise ValueError(f'RandomActor needs finite bounds, got {spec}.')
        if np.issubdtype(spec.dtype, np.integer):
            return lambda: rng.integers(low, high + 1, size=spec.shape).astype(spec.dtype)
        return lambda: rng.uniform(low, high, size=spec.shape).astype(spec.dtype)
    raise ValueError(f'RandomActor cannot sample an unbounded action spec: {spec}.')


class RandomActor(AdderActor):
    """Picks actions uniformly at random; writes what it sees to an optional adder."""

    def __init__(self, action_spec: types.NestedSpec, adder: Optional[Adder] = None,
                 seed: Optional[int] = None):
        super().__init__(adder)
        rng = np.random.default_rng(seed)
        samplers = [_sampler(spec, rng) for spec in tree.flatten(action_spec)]
        self._structure = action_spec
        self._samplers = samplers

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        del observation
        flat = [sample() for sample in self._samplers]
        return tree.unflatten_as(self._structure, flat)
