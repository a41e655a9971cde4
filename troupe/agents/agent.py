"""Agent: an actor and a learner combined with Acme's learning schedule."""

from typing import List, Optional, Sequence

import dm_env
import numpy as np

from troupe import core, types
from troupe.components import counting

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


def num_learner_steps_between(before: int, after: int, min_observations: int,
                              observations_per_step: float) -> int:
    """Learner steps due for observations before+1, ..., after (a batch of them):
    the sum of `num_learner_steps(k, ...)` over k in (before, after], in O(1)."""
    low = max(before + 1 - min_observations, 0)
    high = after - min_observations
    if high < low:
        return 0
    if observations_per_step > 1:
        period = int(observations_per_step)
        return high // period - (low - 1) // period
    return (high - low + 1) * int(1 / observations_per_step)


class Agent(core.Actor, core.VariableSource):
    """Acts with `actor`, and interleaves `learner.step()` calls as data arrives.

    With a batched actor (acting on a `BatchedEnvironment`) every real env step
    of every copy is an observation: an `observe` of a batch of N copies counts
    N observations, minus the copies that were just reset (FIRST), and the next
    `update()` runs the learner steps due for all of them, so
    `min_observations` and `observations_per_step` keep their meaning in env
    steps whatever the batch size.
    """

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
        # Learner steps due for the observations of the latest batched observe;
        # None after a single-environment observe (update() computes them).
        self._batch_steps_due: Optional[int] = None

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        return self._actor.select_action(observation)

    def observe_first(self, timestep: dm_env.TimeStep):
        self._actor.observe_first(timestep)

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        step_type = next_timestep.step_type
        if type(step_type) is np.ndarray:  # A batch: count its real env steps.
            before = self._num_observations
            self._num_observations += counting.count_env_steps(step_type)
            self._batch_steps_due = num_learner_steps_between(
                before, self._num_observations, self._min_observations,
                self._observations_per_step)
        else:
            self._num_observations += 1
        self._actor.observe(action, next_timestep)

    def update(self, wait: bool = False):
        steps = self._batch_steps_due
        if steps is None:
            steps = num_learner_steps(self._num_observations, self._min_observations,
                                      self._observations_per_step)
        for _ in range(steps):
            self._learner.step()
        if steps > 0:
            self._actor.update(wait)

    def get_variables(self, names: Sequence[str]) -> List[types.NestedArray]:
        return self._learner.get_variables(names)

    @property
    def batched(self) -> Optional[bool]:
        """How the actor acts (see `troupe.Actor.batched`)."""
        return self._actor.batched

    @property
    def num_observations(self) -> int:
        """Env steps observed so far (of every copy, for a batched actor)."""
        return self._num_observations

    @property
    def learner(self) -> core.Learner:
        return self._learner

    @property
    def num_envs(self) -> Optional[int]:
        """The batch size the actor acts on (None: one environment)."""
        return getattr(self, '_num_envs', None)


class ReplayAgent(Agent):
    """An `Agent` that owns an in-process Reverb server (`self._server`, set by
    the subclass before use): its address, `close()` (idempotent) and use as a
    context manager."""

    @property
    def server_address(self) -> str:
        return f'localhost:{self._server.port}'

    def close(self) -> None:
        """Stops the replay server, releasing any iterator waiting on it."""
        if not getattr(self, '_closed', False):
            self._closed = True
            self._server.stop()

    def __enter__(self):
        return self

    def __exit__(self, *unused_exc_info):
        self.close()
