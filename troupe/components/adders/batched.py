"""BatchedAdder: one trajectory per copy of a `BatchedEnvironment`."""

from typing import List, Optional, Sequence

import dm_env
import numpy as np
import tree

from troupe import types
from troupe.components.adders import base
from troupe.environments import batched as batched_env


class BatchedAdder(base.Adder):
    """Feeds each row of a batch to its own adder.

    `adders[i]` sees exactly the calls a single-environment loop on copy i would
    make: `add_first` with the copy's FIRST timestep (at the batch's reset, and
    when the copy is reset after LAST), then `add(action_i, timestep_i,
    extras_i)` for each of its steps. So the items written are exactly those of
    N single-environment adders, e.g. N `NStepTransitionAdder`s, each with its
    own `TrajectoryWriter`, sharing one client and table.

    Actions and extras are nests with a leading axis of N; timesteps are batched
    (see `troupe.environments.batched`).
    """

    def __init__(self, adders: Sequence[base.Adder]):
        adders = list(adders)
        if not adders:
            raise ValueError('BatchedAdder needs at least one adder, got none.')
        for adder in adders:
            if not isinstance(adder, base.Adder):
                raise ValueError(f'BatchedAdder takes Adders, got {adder!r}.')
        if len({id(adder) for adder in adders}) != len(adders):
            raise ValueError('BatchedAdder needs a distinct adder per copy (one '
                             'trajectory each); the same adder appears twice.')
        self._adders = adders

    @property
    def num_envs(self) -> int:
        """The batch size N the adder expects."""
        return len(self._adders)

    @property
    def adders(self) -> List[base.Adder]:
        return list(self._adders)

    def _unbatch(self, timestep: dm_env.TimeStep) -> List[dm_env.TimeStep]:
        n = np.size(timestep.step_type)
        if np.ndim(timestep.step_type) != 1 or n != len(self._adders):
            raise ValueError(
                f'BatchedAdder of {len(self._adders)} adders needs batched timesteps '
                f'with step_type of shape ({len(self._adders)},), got '
                f'{np.shape(timestep.step_type)}.')
        return batched_env.unbatch(timestep)

    def _rows(self, nest: types.NestedArray, what: str) -> List[types.NestedArray]:
        n = len(self._adders)
        leaves = [np.asarray(leaf) for leaf in tree.flatten(nest)]
        for leaf in leaves:
            if leaf.ndim == 0 or leaf.shape[0] != n:
                raise ValueError(f'BatchedAdder of {n} adders needs {what} with a '
                                 f'leading axis of {n}, got shape {leaf.shape}.')
        if not tree.is_nested(nest):
            return list(leaves[0])
        return [tree.unflatten_as(nest, [leaf[i] for leaf in leaves])
                for i in range(n)]

    def add_first(self, timestep: dm_env.TimeStep):
        """Starts an episode in every copy (a batch that was just reset)."""
        for adder, row in zip(self._adders, self._unbatch(timestep)):
            adder.add_first(row)

    def add(self,
            action: types.NestedArray,
            next_timestep: dm_env.TimeStep,
            extras: types.NestedArray = ()):
        """Adds each copy's step; a copy that was reset starts a new episode."""
        timesteps = self._unbatch(next_timestep)
        actions = self._rows(action, 'actions')
        if tree.flatten(extras):
            extras_rows = self._rows(extras, 'extras')
        else:
            extras_rows = [extras] * len(self._adders)
        for adder, row, act, ext in zip(self._adders, timesteps, actions, extras_rows):
            if row.step_type is batched_env.FIRST:
                adder.add_first(row)
            else:
                adder.add(act, row, ext)

    def reset(self):
        for adder in self._adders:
            adder.reset()

    def flush(self):
        for adder in self._adders:
            adder.flush()


def make_nstep_adder(client, n_step: int, discount: float, table: str,
                     num_envs: Optional[int] = None):
    """An `NStepTransitionAdder` writing to `table` at priority 1, or with
    `num_envs` a `BatchedAdder` of that many (one trajectory per copy of a
    `BatchedEnvironment`), all writing to the same table."""
    from troupe.components.adders.nstep import NStepTransitionAdder

    def make():
        return NStepTransitionAdder(client, n_step=n_step, discount=discount,
                                    priority_fns={table: None})
    if num_envs is None:
        return make()
    return BatchedAdder([make() for _ in range(num_envs)])
