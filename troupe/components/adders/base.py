"""The `Adder` interface and the records adders write.

An adder sits between an actor and a replay buffer: the actor tells it what it
saw (`add_first`, then `add` once per step) and the adder decides what to write
and when (single transitions, n-step transitions, sequences, whole episodes).
"""

import abc
from typing import Any, Callable, Mapping, NamedTuple, Optional

import dm_env

from troupe import types

# The table adders write to when no `priority_fns` are given.
DEFAULT_PRIORITY_TABLE = 'priority_table'

# A priority function maps an item's trajectory (a nest of numpy arrays, e.g. a
# `types.Transition` or a `Step` with a leading time dimension) to a priority.
PriorityFn = Callable[[Any], float]
# Table name -> priority function; `None` means a constant priority of 1.0.
PriorityFnMapping = Mapping[str, Optional[PriorityFn]]


class Step(NamedTuple):
    """One time step of a trajectory as written by sequence and episode adders.

    `reward` and `discount` are those that followed `action`. In a written item
    every field has a leading time dimension.
    """
    observation: types.NestedArray
    action: types.NestedArray
    reward: types.NestedArray
    discount: types.NestedArray
    start_of_episode: Any
    extras: types.NestedArray = ()


# Acme's name for a stacked `Step`.
Trajectory = Step


class Adder(abc.ABC):
    """Packs what an actor observes into items for a replay buffer.

    Usage in an environment loop::

        timestep = env.reset()
        adder.add_first(timestep)
        while not timestep.last():
            action = policy(timestep.observation)
            timestep = env.step(action)
            adder.add(action, next_timestep=timestep)

    `add` takes the action and the timestep that *resulted* from it. After a
    LAST timestep the adder is ready for the next `add_first`.
    """

    @abc.abstractmethod
    def add_first(self, timestep: dm_env.TimeStep):
        """Starts an episode with its FIRST timestep."""

    @abc.abstractmethod
    def add(self,
            action: types.NestedArray,
            next_timestep: dm_env.TimeStep,
            extras: types.NestedArray = ()):
        """Records `action` and the timestep it led to.

        Args:
          action: the action taken (a possibly nested structure).
          next_timestep: the timestep returned by the environment for `action`.
          extras: optional extra data to store with the step (e.g. policy logits
            or a recurrent state); its structure must not change between calls.
        """

    @abc.abstractmethod
    def reset(self):
        """Drops the current episode's unwritten data and waits for pending writes."""

    def flush(self):
        """Blocks until every item created so far is on the server (e.g. before
        the replay is checkpointed); the episode goes on."""
