"""Flattens a dict of observations (e.g. dm_control's) into one vector."""

from typing import Optional, Sequence

import dm_env
import numpy as np
from dm_env import specs

from troupe.environments.wrappers import base


class ConcatObservationWrapper(base.EnvironmentWrapper):
    """Observations become one 1-D array: the entries of a dict observation,
    each flattened, concatenated in the spec's key order.

    Args:
        environment: an environment whose observation spec is a dict of arrays.
        name_filter: keep only these keys (in the spec's order); None keeps all.
    """

    def __init__(self, environment: dm_env.Environment,
                 name_filter: Optional[Sequence[str]] = None):
        super().__init__(environment)
        spec = environment.observation_spec()
        if not isinstance(spec, dict) or not spec:
            raise TypeError(f'ConcatObservationWrapper needs a non-empty dict observation '
                            f'spec, got {spec!r}.')
        if name_filter is not None:
            unknown = [name for name in name_filter if name not in spec]
            if unknown:
                raise ValueError(f'name_filter has keys {unknown} that are not in the '
                                 f'observation spec keys {list(spec)}.')
        self._keys = [k for k in spec if name_filter is None or k in name_filter]
        size = sum(int(np.prod(spec[k].shape)) for k in self._keys)
        self._dtype = np.result_type(*(spec[k].dtype for k in self._keys))
        self._spec = specs.Array((size,), self._dtype, name='observation')

    def _concat(self, timestep: dm_env.TimeStep) -> dm_env.TimeStep:
        observation = timestep.observation
        flat = np.concatenate([np.asarray(observation[k], dtype=self._dtype).reshape(-1)
                               for k in self._keys])
        return timestep._replace(observation=flat)

    def reset(self) -> dm_env.TimeStep:
        return self._concat(self._environment.reset())

    def step(self, action) -> dm_env.TimeStep:
        return self._concat(self._environment.step(action))

    def observation_spec(self) -> specs.Array:
        return self._spec

    def _state_config(self) -> dict:
        return {'keys': tuple(self._keys)}
