"""Rescales bounded continuous actions to [-1, 1], the range policies emit."""

from typing import Any

import dm_env
import numpy as np
import tree
from dm_env import specs

from troupe.environments import validation
from troupe.environments.wrappers import base


def _is_rescalable(spec: Any) -> bool:
    return (isinstance(spec, specs.BoundedArray)
            and not isinstance(spec, specs.DiscreteArray)
            and spec.dtype.kind == 'f'
            and np.isfinite(spec.minimum).all() and np.isfinite(spec.maximum).all())


class CanonicalSpecWrapper(base.EnvironmentWrapper):
    """Every float `BoundedArray` action spec becomes [-1, 1] of the same shape.

    An action a in [-1, 1] is mapped to minimum + (a + 1) / 2 * (maximum - minimum)
    before it reaches the wrapped environment. With `clip=True`, actions are first
    clipped to [-1, 1] (useful with exploration noise); otherwise an action outside
    [-1, 1] raises `InvalidActionError`. Other specs (discrete, unbounded or with
    infinite bounds) pass through unchanged.
    """

    def __init__(self, environment: dm_env.Environment, clip: bool = False):
        super().__init__(environment)
        self._clip = clip
        self._original = environment.action_spec()
        self._canonical = tree.map_structure(_canonical, self._original)

    def action_spec(self):
        return self._canonical

    def _state_config(self) -> dict:
        return {'clip': self._clip}

    def step(self, action) -> dm_env.TimeStep:
        return self._environment.step(self.scale_action(action))

    def scale_action(self, action: Any) -> Any:
        """Maps a canonical action (nest) to the wrapped environment's ranges."""
        def scale(spec, canonical, value):
            if not _is_rescalable(spec):
                return value
            if self._clip:
                value = np.clip(np.asarray(value, dtype=spec.dtype), -1.0, 1.0)
            else:
                value = validation.check_array_action(value, canonical)
            scaled = spec.minimum + (value + 1.0) * 0.5 * (spec.maximum - spec.minimum)
            # Rounding must not push an endpoint outside the original bounds.
            return np.clip(scaled, spec.minimum, spec.maximum).astype(spec.dtype)
        if isinstance(self._original, specs.Array):
            return scale(self._original, self._canonical, action)
        # Leaves of the action may be lists, so flatten it only down to the spec's leaves.
        leaves = tree.flatten_up_to(self._original, action, check_types=False)
        scaled = [scale(spec, canonical, value) for spec, canonical, value in
                  zip(tree.flatten(self._original), tree.flatten(self._canonical), leaves)]
        return tree.unflatten_as(self._original, scaled)


def _canonical(spec: Any) -> Any:
    if not _is_rescalable(spec):
        return spec
    return specs.BoundedArray(spec.shape, spec.dtype, np.full(spec.shape, -1.0, spec.dtype),
                              np.full(spec.shape, 1.0, spec.dtype), name=spec.name)
