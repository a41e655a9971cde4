"""The interfaces every troupe part implements.

An agent is a company of parts: an `Actor` acts in the environment, a `Learner`
updates parameters from data, and a `VariableSource` (usually the learner) serves
those parameters to actors. `Worker` is anything with a `run()` loop; `Saveable`
is anything whose state a `Checkpointer` can save.
"""

import abc
import itertools
from typing import Generic, List, Optional, Sequence, TypeVar

import dm_env

from troupe import types

T = TypeVar('T')


class Actor(abc.ABC):
    """Interacts with an environment: selects actions and observes their results.

    `batched` says how it acts: True on a `BatchedEnvironment` ([N, ...]
    observations and timesteps), False on one environment, None when it does
    not say (the `EnvironmentLoop` then takes it as it is).
    """

    batched: Optional[bool] = None

    @abc.abstractmethod
    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        """Samples from the policy and returns an action."""

    @abc.abstractmethod
    def observe_first(self, timestep: dm_env.TimeStep):
        """Makes a first observation of an episode (the FIRST timestep)."""

    @abc.abstractmethod
    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        """Makes an observation of the action taken and the timestep it led to."""

    @abc.abstractmethod
    def update(self, wait: bool = False):
        """Refreshes the actor's parameters (e.g. from a learner)."""


class VariableSource(abc.ABC):
    """Serves the current values of named groups of variables."""

    @abc.abstractmethod
    def get_variables(self, names: Sequence[str]) -> List[types.NestedArray]:
        """Returns, for each name, the list of numpy arrays of that variable group."""


class Worker(abc.ABC):
    """Something that runs a loop (a learner, an environment loop, a node)."""

    @abc.abstractmethod
    def run(self):
        """Runs the worker."""


class Saveable(abc.ABC, Generic[T]):
    """Something whose state can be saved and restored."""

    @abc.abstractmethod
    def save(self) -> T:
        """Returns the state to be saved."""

    @abc.abstractmethod
    def restore(self, state: T):
        """Restores the state returned by `save()`."""


class Learner(VariableSource, Worker, Saveable):
    """Updates parameters from data; `step()` is one update."""

    @abc.abstractmethod
    def step(self):
        """Performs one update step."""

    def run(self, num_steps: Optional[int] = None) -> None:
        """Runs `num_steps` updates, or forever when `num_steps` is None."""
        if num_steps is not None and num_steps < 0:
            raise ValueError(f'num_steps must be None or >= 0, got {num_steps}.')
        iterator = range(num_steps) if num_steps is not None else itertools.count()
        for _ in iterator:
            self.step()

    def save(self):
        raise NotImplementedError(
                f'{type(self).__name__} does not implement save(); use a Checkpointer.')

    def restore(self, state):
        raise NotImplementedError(
                f'{type(self).__name__} does not implement restore(); use a Checkpointer.')
