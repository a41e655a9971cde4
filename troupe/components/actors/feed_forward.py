"""FeedForwardActor: a stateless policy network acting one observation at a time."""

from typing import Optional

import sonnet as snt
import tensorflow as tf

from troupe import types
from troupe.components.actors import policy as policy_lib
from troupe.components.actors.base import AdderActor
from troupe.components.adders.base import Adder
from troupe.components.variables import VariableClient


class FeedForwardActor(AdderActor):
    """Acts with `policy_network` and writes what it sees through an optional adder.

    The network maps a batch of observations to actions, or to a
    `tfd.Distribution` over actions, which the actor samples. On the first call the
    policy is compiled for the observation's shape and dtype (a fixed input
    signature), so later steps never retrace.
    """

    def __init__(self,
                 policy_network: snt.Module,
                 adder: Optional[Adder] = None,
                 variable_client: Optional[VariableClient] = None):
        super().__init__(adder, variable_client)
        self._network = policy_network
        self._policy = None
        self._signature = None

    def _make_policy(self):
        network = self._network

        def policy(observation):
            batched = tf.nest.map_structure(lambda x: tf.expand_dims(x, 0), observation)
            action = policy_lib.sample_if_distribution(network(batched))
            return tf.nest.map_structure(lambda x: tf.squeeze(x, 0), action)
        return policy

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        if self._policy is None:
            self._policy = policy_lib.compile_once(self._make_policy, [observation])
            self._signature = policy_lib.signature_of(observation)
        action = policy_lib.flat_call(self._policy, self._signature, observation)
        return policy_lib.to_numpy_nest(action)
