"""RecurrentActor: a policy with memory (an `snt.RNNCore`) acting step by step."""

from typing import Optional

import dm_env
import numpy as np
import sonnet as snt
import tensorflow as tf
import tree

from troupe import types
from troupe.components.actors import policy as policy_lib
from troupe.components.actors.base import AdderActor
from troupe.components.adders.base import Adder
from troupe.components.variables import VariableClient


class RecurrentActor(AdderActor):
    """Acts with a recurrent core `network(observation, state) -> (action, state)`.

    The state is reset at the start of every episode (`observe_first`). With
    `store_recurrent_state`, the state the action was computed from is written as
    the step's extras under 'core_state', so a learner can replay sequences from
    the same starting state (as in IMPALA and R2D2).
    """

    batched = False  # Keeps one recurrent state: acts on one environment.

    def __init__(self,
                 policy_network: snt.RNNCore,
                 adder: Optional[Adder] = None,
                 variable_client: Optional[VariableClient] = None,
                 store_recurrent_state: bool = True):
        super().__init__(adder, variable_client)
        self._network = policy_network
        self._store_recurrent_state = store_recurrent_state
        self._state = None          # Batched (size 1) state tensors.
        self._prev_state = None     # The state used for the last action.
        self._policy = None
        self._signature = None

    def _initial_state(self):
        return self._network.initial_state(1)

    def _make_policy(self):
        network = self._network

        def policy(observation, state):
            batched = tf.nest.map_structure(lambda x: tf.expand_dims(x, 0), observation)
            output, new_state = network(batched, state)
            action = policy_lib.sample_if_distribution(output)
            return tf.nest.map_structure(lambda x: tf.squeeze(x, 0), action), new_state
        return policy

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        if self._state is None:
            self._state = self._initial_state()
        if self._policy is None:
            state_np = tree.map_structure(np.asarray, self._state)
            self._policy = policy_lib.compile_once(
                self._make_policy, [observation, state_np])
            self._signature = policy_lib.signature_of(observation)
        action, new_state = policy_lib.flat_call(
            self._policy, self._signature, observation, self._state)
        self._prev_state, self._state = self._state, new_state
        return policy_lib.to_numpy_nest(action)

    def observe_first(self, timestep: dm_env.TimeStep):
        self._state = self._initial_state()
        self._prev_state = None
        super().observe_first(timestep)

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        if self._adder is None:
            return
        if not self._store_recurrent_state:
            super().observe(action, next_timestep)
            return
        state = tree.map_structure(lambda t: np.asarray(t)[0], self._prev_state)
        self._adder.add(action, next_timestep, extras={'core_state': state})
