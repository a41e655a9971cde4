"""Agent: an actor and a learner combined with Acme's learning schedule."""

from typing import List, Optional, Sequence

import dm_env

from troupe import core, types


def num_learner_steps(num_observations: int, min_observations: int,
                      observations_per_step: float) -> int:
    """How many learner steps to take after the `num_observations`-th observation.

    No learning before `min_observations`; after that, one step every
    `observations_per_step` observations, or `1 / observations_per_step` steps per
    observation when it is below 1.
    """
    n = num_observations - min_observations
    if n < 0:
        return 0
    if observations_per_step > 1:
        return int(n % int(observations_per_step) == 0)
    return int(1 / observations_per_step)


class Agent(core.Actor, core.VariableSource):
    """Acts with `actor`, and interleaves `learner.step()` calls as data arrives."""

    def __init__(self, actor: core.Actor, learner: core.Learner,
                 min_observations: Optional[int] = None,
                 observations_per_step: Optional[float] = None):
        min_observations = 0 if min_observations is None else min_observations
        observations_per_step = (1.0 if observations_per_step is None
                                 else observations_per_step)
        if min_observations < 0:
            raise ValueError(f'min_observations must be >= 0, got {min_observations}.')
        if observations_per_step <= 0:
            raise ValueError(
                f'observations_per_step must be > 0, got {observations_per_step}.')
        self._actor = actor
        self._learner = learner
        self._min_observations = min_observations
        self._observations_per_step = observations_per_step
        self._num_observations = 0

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        return self._actor.select_action(observation)

    def observe_first(self, timestep: dm_env.TimeStep):
        self._actor.observe_first(timestep)

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        self._num_observations += 1
        self._actor.observe(action, next_timestep)

    def update(self, wait: bool = False):
        steps = num_learner_steps(self._num_observations, self._min_observations,
                                  self._observations_per_step)
        for _ in range(steps):
            self._learner.step()
        if steps > 0:
            self._actor.update(wait)

    def get_variables(self, names: Sequence[str]) -> List[types.NestedArray]:
        return self._learner.get_variables(names)

    @property
    def num_observations(self) -> int:
        return self._num_observations
