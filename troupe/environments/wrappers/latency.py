"""A fixed wall-clock cost per step, as a remote or heavy simulator would have."""

import math
import time

import dm_env

from troupe import errors
from troupe.environments.wrappers.base import EnvironmentWrapper


class LatencyWrapper(EnvironmentWrapper):
    """Sleeps `step_seconds` in every `step` (and `reset_seconds` in `reset`).

    The sleep holds no CPU, so many actors stepping such environments scale
    with their number even on a small machine, as actors waiting on remote
    simulators do; `benchmarks/distributed_scaling.py` measures that.
    """

    def __init__(self, environment: dm_env.Environment, step_seconds: float,
                 reset_seconds: float = 0.0):
        super().__init__(environment)
        for name, value in (('step_seconds', step_seconds),
                            ('reset_seconds', reset_seconds)):
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or not math.isfinite(value) or value < 0):
                raise errors.InvalidInput(f'LatencyWrapper {name} must be a number >= 0, '
                                          f'got {value!r}.')
        self._step_seconds = float(step_seconds)
        self._reset_seconds = float(reset_seconds)

    def reset(self) -> dm_env.TimeStep:
        if self._reset_seconds:
            time.sleep(self._reset_seconds)
        return self._environment.reset()

    def step(self, action) -> dm_env.TimeStep:
        if self._step_seconds:
            time.sleep(self._step_seconds)
        return self._environment.step(action)
