"""Adds the previous action and reward to each observation (for recurrent agents)."""

from typing import Any, NamedTuple

import dm_env
import numpy as np
import tree

from troupe.environments.wrappers import base


class OAR(NamedTuple):
    """An observation with the action and reward that led to it."""
    observation: Any
    action: Any
    reward: Any


class ObservationActionRewardWrapper(base.EnvironmentWrapper):
    """Observations become `OAR(observation, last action, last reward)`.

    On a FIRST timestep the action and reward are zeros of their specs' shapes
    and dtypes.
    """

    def reset(self) -> dm_env.TimeStep:
        return self._first(self._environment.reset())

    def step(self, action) -> dm_env.TimeStep:
        timestep = self._environment.step(action)
        if timestep.first():  # The wrapped environment started a new episode.
            return self._first(timestep)
        action = tree.map_structure(lambda s, a: np.asarray(a, dtype=s.dtype),
                                    self._environment.action_spec(), action)
        reward = tree.map_structure(lambda s, r: np.asarray(r, dtype=s.dtype),
                                    self._environment.reward_spec(), timestep.reward)
        return timestep._replace(observation=OAR(timestep.observation, action, reward))

    def _first(self, timestep: dm_env.TimeStep) -> dm_env.TimeStep:
        action = tree.map_structure(lambda s: np.zeros(s.shape, s.dtype),
                                    self._environment.action_spec())
        reward = tree.map_structure(lambda s: np.zeros(s.shape, s.dtype),
                                    self._environment.reward_spec())
        return timestep._replace(observation=OAR(timestep.observation, action, reward))

    def observation_spec(self) -> OAR:
        return OAR(self._environment.observation_spec(), self._environment.action_spec(),
                   self._environment.reward_spec())
