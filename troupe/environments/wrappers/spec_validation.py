"""Checks every action and every timestep of an environment against its specs."""

import dm_env

from troupe.environments import validation
from troupe.environments.wrappers import base


class SpecValidationWrapper(base.EnvironmentWrapper):
    """Raises as soon as an action or a timestep breaks the environment's specs.

    Actions are checked before they reach the wrapped environment
    (`InvalidActionError` naming the action and the spec); observations, rewards
    and discounts are checked on the way out (`ValueError` naming the field, the
    value and the spec). Meant for tests and for trying a new environment or
    adapter; it costs a spec walk per step.
    """

    def __init__(self, environment: dm_env.Environment):
        super().__init__(environment)
        self._check_action = validation.make_action_checker(environment.action_spec())

    def reset(self) -> dm_env.TimeStep:
        timestep = self._environment.reset()
        self._check_timestep(timestep, expect_first=True)
        return timestep

    def step(self, action) -> dm_env.TimeStep:
        self._check_action(action)
        timestep = self._environment.step(action)
        self._check_timestep(timestep, expect_first=False)
        return timestep

    def _check_timestep(self, timestep: dm_env.TimeStep, expect_first: bool) -> None:
        if not isinstance(timestep, dm_env.TimeStep):
            raise ValueError(f'Expected a dm_env.TimeStep, got {timestep!r}.')
        if expect_first and not timestep.first():
            raise ValueError(f'reset() must return a FIRST timestep, got '
                             f'{timestep.step_type!r}.')
        validation.check_timestep(timestep, self._environment)
