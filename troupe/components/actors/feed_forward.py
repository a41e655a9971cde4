"""FeedForwardActor: a stateless policy network acting on one observation at a
time, or on a batch of observations from a `BatchedEnvironment`."""

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

    With `batched=True` the actor acts for N environments at once (a
    `troupe.environments.BatchedEnvironment`): `select_action` takes [N, ...]
    observations and returns [N, ...] actions from ONE network call, with no
    batch axis added or removed, and `observe_first` / `observe` take batched
    timesteps, so the adder must accept them (`adders.BatchedAdder`). Batching is
    a constructor flag rather than a second set of methods (`select_actions`,
    ...) so that a batched actor is still a plain `troupe.Actor`: the
    EnvironmentLoop, `Agent` (which forwards the calls) and the variable client
    need no batched twins of the Actor interface, and an agent is made batched by
    building its actor and adder batched. Sampled exploration (ε-greedy
    categoricals, `ClippedGaussian` noise) draws independently for every row, so
    every copy gets its own noise. The compiled signature leaves the batch axis
    free: any N runs the same concrete function.
    """

    def __init__(self,
                 policy_network: snt.Module,
                 adder: Optional[Adder] = None,
                 variable_client: Optional[VariableClient] = None,
                 batched: bool = False):
        super().__init__(adder, variable_client)
        self._network = policy_network
        self._batched = bool(batched)
        self._policy = None
        self._signature = None

    @property
    def batched(self) -> bool:
        """Whether the actor acts on batches of observations."""
        return self._batched

    def _make_policy(self):
        network = self._network
        if self._batched:
            def batched_policy(observations):
                return policy_lib.sample_if_distribution(network(observations))
            return batched_policy

        def policy(observation):
            batched = tf.nest.map_structure(lambda x: tf.expand_dims(x, 0), observation)
            action = policy_lib.sample_if_distribution(network(batched))
            return tf.nest.map_structure(lambda x: tf.squeeze(x, 0), action)
        return policy

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        if self._policy is None:
            self._policy = policy_lib.compile_once(self._make_policy, [observation],
                                                   batched=self._batched)
            self._signature = policy_lib.signature_of(observation, self._batched)
        if self._batched:
            action = policy_lib.flat_call(self._policy, self._signature, observation,
                                          batched=True)
        else:
            action = policy_lib.flat_call(self._policy, self._signature, observation)
        return policy_lib.to_numpy_nest(action)
