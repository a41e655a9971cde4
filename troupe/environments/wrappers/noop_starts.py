"""Starts each episode with a random number of no-op actions."""

from typing import Any, Optional

import dm_env
import numpy as np

from troupe.environments import state as env_state
from troupe.environments.wrappers import base


class NoopStartsWrapper(base.EnvironmentWrapper):
    """After each reset, takes k no-op steps, k uniform in [0, noop_max].

    Used with Atari (as in the DQN papers) so that deterministic games do not
    always start from the same state. The FIRST timestep returned carries the
    observation after the no-ops. If an episode ends during the no-ops, the
    environment is reset and the no-ops are drawn again.
    """

    def __init__(self, environment: dm_env.Environment, noop_action: Any = 0,
                 noop_max: int = 30, seed: Optional[int] = None):
        super().__init__(environment)
        if int(noop_max) != noop_max or noop_max < 0:
            raise ValueError(f'noop_max must be a non-negative int, got {noop_max!r}.')
        self._noop_action = noop_action
        self._noop_max = int(noop_max)
        self._rng = np.random.default_rng(seed)

    def _state_config(self) -> dict:
        return {'noop_max': self._noop_max}

    def _get_own_state(self) -> dict:
        return {'rng': env_state.rng_state(self._rng)}

    def _set_own_state(self, data: dict) -> None:
        env_state.set_rng_state(self._rng, data['rng'])

    def reset(self) -> dm_env.TimeStep:
        timestep = self._environment.reset()
        num_noops = int(self._rng.integers(self._noop_max + 1))
        for _ in range(num_noops):
            timestep = self._environment.step(self._noop_action)
            if timestep.last():
                return self.reset()
        return dm_env.TimeStep(dm_env.StepType.FIRST, None, None, timestep.observation)
