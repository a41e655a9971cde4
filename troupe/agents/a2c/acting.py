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
import tensorflow as tf
import tree
from dm_env import specs as dm_specs

from troupe import specs, types
from troupe.components import actors
from troupe.components.adders.base import Adder
from troupe.components.variables import VariableClient


def check_discrete_actions(environment_spec: specs.EnvironmentSpec,
                           agent: str) -> int:
    """Returns the number of actions; raises unless the action spec is discrete."""
    action_spec = environment_spec.actions
    if not isinstance(action_spec, dm_specs.DiscreteArray):
        raise ValueError(f'{agent} needs a discrete action spec (dm_env.specs.'
                         f'DiscreteArray), got {action_spec!r}.')
    return int(action_spec.num_values)


def extras_spec(core_state_spec: Optional[types.NestedSpec] = None) -> dict:
    """Specs of the extras the on-policy actors write with every step."""
    spec = {'log_prob': specs.Array((), np.float32, name='log_prob'),
            'mask': specs.Array((), np.float32, name='mask')}
    if core_state_spec is not None:
        spec['core_state'] = core_state_spec
    return spec


def core_state_spec(core: snt.RNNCore) -> types.NestedSpec:
    """Specs (without batch dimension) of `core`'s state."""
    state = core.initial_state(1)
    return tree.map_structure(
        lambda t: specs.Array(tuple(t.shape[1:]), t.dtype.as_numpy_dtype), state)


def sample_with_log_prob(logits: tf.Tensor, dtype: tf.DType):
    """Samples one action per row of `logits`; returns it and its log-probability."""
    action = tf.random.categorical(logits, 1, dtype=tf.int32)[:, 0]
    log_prob = -tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=action, logits=logits)
    return tf.cast(action, dtype), log_prob


class SampledPolicy(snt.Module):
    """observations -> (action, log π(action)) of a (logits, value) network."""

    def __init__(self, network: snt.Module, action_dtype, name: str = 'sampled_policy'):
        super().__init__(name=name)
        self._network = network
        self._dtype = tf.as_dtype(action_dtype)

    def __call__(self, observations):
        logits, _ = self._network(observations)
        return sample_with_log_prob(logits, self._dtype)


class SampledRecurrentPolicy(snt.RNNCore):
    """(observations, state) -> ((action, log π(action)), new state) of a core
    returning ((logits, value), state)."""

    def __init__(self, core: snt.RNNCore, action_dtype,
                 name: str = 'sampled_recurrent_policy'):
        super().__init__(name=name)
        self._core = core
        self._dtype = tf.as_dtype(action_dtype)

    def __call__(self, observations, state):
        (logits, _), new_state = self._core(observations, state)
        return sample_with_log_prob(logits, self._dtype), new_state

    def initial_state(self, batch_size: int, **kwargs):
        return self._core.initial_state(batch_size, **kwargs)


_ONE = np.ones((), np.float32)


class OnPolicyActor(actors.FeedForwardActor):
    """A `FeedForwardActor` sampling a softmax policy and writing its log-probs.

    `network` maps a batch of observations to (logits, value).
    """

    def __init__(self, network: snt.Module, action_spec: dm_specs.DiscreteArray,
                 adder: Optional[Adder] = None,
                 variable_client: Optional[VariableClient] = None):
        super().__init__(SampledPolicy(network, action_spec.dtype), adder,
                         variable_client)
        self._extras = None

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        action, log_prob = super().select_action(observation)
        self._extras = {'log_prob': log_prob, 'mask': _ONE}
        return action

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        if self._adder is not None:
            self._adder.add(action, next_timestep, extras=self._extras)


class RecurrentOnPolicyActor(actors.RecurrentActor):
    """A `RecurrentActor` sampling a softmax policy; writes log-probs, mask and
    the core state each action came from.

    `core` is an `snt.RNNCore` mapping (observations, state) to
    ((logits, value), new state), e.g. `networks.LSTMPolicyValueNetwork`.
    """

    def __init__(self, core: snt.RNNCore, action_spec: dm_specs.DiscreteArray,
                 adder: Optional[Adder] = None,
                 variable_client: Optional[VariableClient] = None):
        super().__init__(SampledRecurrentPolicy(core, action_spec.dtype), adder,
                         variable_client, store_recurrent_state=True)
        self._log_prob = None

    def select_action(self, observation: types.NestedArray) -> types.NestedArray:
        action, self._log_prob = super().select_action(observation)
        return action

    def observe(self, action: types.NestedArray, next_timestep: dm_env.TimeStep):
        if self._adder is None:
            return
        state = tree.map_structure(lambda t: t.numpy()[0], self._prev_state)
        self._adder.add(action, next_timestep, extras={
            'core_state': state, 'log_prob': self._log_prob, 'mask': _ONE})
