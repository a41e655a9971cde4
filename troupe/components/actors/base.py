"""The plumbing most actors share: passing what they see to an adder, and
refreshing their variables through a VariableClient."""

from typing import Optional

import dm_env

from troupe import core, types
from troupe.components.adders.base import Adder
from troupe.components.variables import VariableClient


class AdderActor(core.Actor):
    """An Actor that forwards observations to an optional adder and updates through
    an optional variable client; subclasses implement `select_action`."""

    def __init__(self, adder: Optional[Adder] = None,
                 variable_client: Optional[VariableClient] = None):
        self._adder = adder
        self._variable_client = variable_client

    def observe_first(self, timestep: dm_env.TimeStep):
        if self._adder is not None:
            self._adder.add_first(timestep)

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        if self._adder is not None:
            self._adder.add(action, next_timestep)

    def update(self, wait: bool = False):
        if self._variable_client is not None:
            self._variable_client.update(wait)
