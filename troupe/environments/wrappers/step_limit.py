"""Truncates episodes after a fixed number of steps."""

import dm_env

from troupe.environments.wrappers import base


class StepLimitWrapper(base.EnvironmentWrapper):
    """Ends every episode after at most `step_limit` steps.

    The step that reaches the limit becomes LAST with the discount the wrapped
    environment gave it (a truncation, not a termination). A `step()` after that
    starts a new episode, as dm_env specifies. Its snapshots hold the steps taken.
    """

    _STATE_ATTRIBUTES = ('_elapsed', '_reset_next_step')

    def __init__(self, environment: dm_env.Environment, step_limit: int):
        super().__init__(environment)
        if int(step_limit) != step_limit or step_limit < 1:
            raise ValueError(f'step_limit must be a positive int, got {step_limit!r}.')
        self._step_limit = int(step_limit)
        self._elapsed = 0
        self._reset_next_step = True

    @property
    def step_limit(self) -> int:
        """The most steps an episode can last."""
        return self._step_limit

    def _state_config(self) -> dict:
        return {'step_limit': self._step_limit}

    def reset(self) -> dm_env.TimeStep:
        self._elapsed = 0
        self._reset_next_step = False
        return self._environment.reset()

    def step(self, action) -> dm_env.TimeStep:
        if self._reset_next_step:
            return self.reset()
        timestep = self._environment.step(action)
        if timestep.first():  # The wrapped environment started a new episode itself.
            self._elapsed = 0
            return timestep
        self._elapsed += 1
        if self._elapsed >= self._step_limit and not timestep.last():
            timestep = timestep._replace(step_type=dm_env.StepType.LAST)
        if timestep.last():
            self._reset_next_step = True
        return timestep
