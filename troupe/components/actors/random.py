"""RandomActor: uniformly random actions within an action spec (a baseline)."""

from typing import Optional

import numpy as np
import tree
from dm_env import specs as dm_specs

from troupe import types
from troupe.components.actors.base import AdderActor
from troupe.components.adders.base import Adder


def _sampler(spec, rng: np.random.Generator, num_envs: Optional[int] = None):
    """A function returning one uniform sample of `spec` (or `num_envs` of them,
    stacked on a leading axis)."""
    if isinstance(spec, dm_specs.DiscreteArray) and num_envs is None:
        return lambda: np.asarray(rng.integers(spec.num_values), dtype=spec.dtype)
    if isinstance(spec, dm_specs.BoundedArray):
        low = np.broadcast_to(spec.minimum, spec.shape)
        high = np.broadcast_to(spec.maximum, spec.shape)
        if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
            raise ValueError(f'RandomActor needs finite bounds, got {spec}.')
        size = spec.shape if num_envs is None else (num_envs,) + spec.shape
        if np.issubdtype(spec.dtype, np.integer):
            return lambda: rng.integers(low, high + 1, size=size).astype(spec.dtype)
        return lambda: rng.uniform(low, high, size=size).astype(spec.dtype)
    raise ValueError(f'RandomActor cannot sample an unbounded action spec: {spec}.')


class RandomActor(AdderActor):
    """Picks actions uniformly at random; writes what it sees to an optional adder.

    With `num_envs` N it acts on a `BatchedEnvironment` of N copies: every action
    leaf gets a leading axis of N (independent draws), and the adder must accept
    batched timesteps (`adders.BatchedAdder`).
    """

    def __init__(self, action_spec: types.NestedSpec, adder: Optional[Adder] = None,
                 seed: Optional[int] = None, num_envs: Optional[int] = None):
        super().__init__(adder)
        if num_envs is not None and (isinstance(num_envs, bool) or not isinstance(
                num_envs, (int, np.integer)) or num_envs < 1):
            raise ValueError(f'num_envs must be None or an integer >= 1, got '
                             f'{num_envs!r}.')
        rng = np.random.default_rng(seed)
        samplers = [_sampler(spec, rng, num_envs) for spec in tree.flatten(action_spec)]
        self._structure = action_spec
        self._samplers = samplers
        self.num_envs = num_envs
        self.batched = num_envs is not None

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        del observation
        flat = [sample() for sample in self._samplers]
        return tree.unflatten_as(self._structure, flat)
