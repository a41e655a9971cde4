"""An adder that hands everything it is given to several adders."""

from typing import Iterable

import dm_env

from troupe import types
from troupe.components.adders import base


class ForkingAdder(base.Adder):
    """Forwards every call to each of `adders`, in order.

    Useful to write the same experience in two forms, e.g. n-step transitions
    for a Q-learner and whole episodes for evaluation.
    """

    def __init__(self, adders: Iterable[base.Adder]):
        self._adders = tuple(adders)
        for adder in self._adders:
            if not isinstance(adder, base.Adder):
                raise TypeError(f'ForkingAdder expects Adder instances, got '
                                f'{adder!r} of type {type(adder).__name__}.')

    def reset(self):
        for adder in self._adders:
            adder.reset()

    def flush(self):
        for adder in self._adders:
            adder.flush()

    def add_first(self, timestep: dm_env.TimeStep):
        for adder in self._adders:
            adder.add_first(timestep)

    def add(self,
            action: types.NestedArray,
            next_timestep: dm_env.TimeStep,
            extras: types.NestedArray = ()):
        for adder in self._adders:
            adder.add(action, next_timestep, extras)
