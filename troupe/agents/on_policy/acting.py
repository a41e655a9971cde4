"""Acting for the on-policy family: sample a softmax policy, record what it did.

Every step's extras hold the behaviour policy's log-probability of the action
taken ('log_prob') and a 'mask' of 1. The steps a `SequenceAdder` adds itself
(the final observation after LAST and the zero padding) carry zero extras, so
the mask tells a learner which steps of a sequence are real transitions.
A recurrent actor also stores the core state the action came from ('core_state').
"""

from typing import Optional

import dm_env
import numpy as np
import sonnet as snt
import tree

from troupe import specs, types
from troupe.agents.on_policy import policies
from troupe.components import actors
from troupe.components.adders.base import Adder
from troupe.components.variables import VariableClient


def core_state_spec(core: snt.RNNCore) -> types.NestedSpec:
    """Specs (without batch dimension) of `core`'s state."""
    state = core.initial_state(1)
    return tree.map_structure(
        lambda t: specs.Array(tuple(t.shape[1:]), t.dtype.as_numpy_dtype), state)


def extras_spec(network: snt.Module) -> dict:
    """Specs of the extras the actor of `network` writes with every step
    ('core_state' too when it is an `snt.RNNCore`)."""
    spec = {'log_prob': specs.Array((), np.float32, name='log_prob'),
            'mask': specs.Array((), np.float32, name='mask')}
    if isinstance(network, snt.RNNCore):
        spec['core_state'] = core_state_spec(network)
    return spec


_ONE = np.ones((), np.float32)


class OnPolicyActor(actors.FeedForwardActor):
    """A `FeedForwardActor` following a `SampledPolicy`, writing its log-probs."""

    def __init__(self, policy: policies.SampledPolicy,
                 adder: Optional[Adder] = None,
                 variable_client: Optional[VariableClient] = None):
        super().__init__(policy, adder, variable_client)
        self._extras = None

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        action, log_prob = super().select_action(observation)
        self._extras = {'log_prob': log_prob, 'mask': _ONE}
        return action

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        if self._adder is not None:
            self._adder.add(action, next_timestep, extras=self._extras)


class RecurrentOnPolicyActor(actors.RecurrentActor):
    """A `RecurrentActor` following a `SampledRecurrentPolicy`; writes log-probs,
    mask and the core state each action came from."""

    def __init__(self, policy: policies.SampledRecurrentPolicy,
                 adder: Optional[Adder] = None,
                 variable_client: Optional[VariableClient] = None):
        super().__init__(policy, adder, variable_client, store_recurrent_state=True)
        self._log_prob = None

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        action, self._log_prob = super().select_action(observation)
        return action

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        if self._adder is None:
            return
        state = tree.map_structure(lambda t: np.asarray(t)[0], self._prev_state)
        self._adder.add(action, next_timestep, extras={
            'core_state': state, 'log_prob': self._log_prob, 'mask': _ONE})
