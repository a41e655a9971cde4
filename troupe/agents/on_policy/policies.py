"""The on-policy family's policies over a (logits, value) network.

Acting samples the softmax of the logits and returns the action with its
log-probability (which the actor stores for V-trace and the like); evaluation
takes the argmax. Each comes feed-forward (`network(observations) -> (logits,
value)`) and recurrent (an `snt.RNNCore` `core(observations, state) ->
((logits, value), state)`); each policy keeps its network as `network`, whose
variables a `VariableClient` refreshes.
"""

from typing import Tuple

import sonnet as snt
import tensorflow as tf


def sample_with_log_prob(logits: tf.Tensor, dtype: tf.DType
                         ) -> Tuple[tf.Tensor, tf.Tensor]:
    """Samples one action per row of `logits`; returns it and its log-probability."""
    action = tf.random.categorical(logits, 1, dtype=tf.int32)[:, 0]
    log_prob = -tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=action, logits=logits)
    return tf.cast(action, dtype), log_prob


def greedy(logits: tf.Tensor, dtype: tf.DType) -> tf.Tensor:
    """The most likely action of each row of `logits`."""
    return tf.cast(tf.argmax(logits, axis=-1), dtype)


class SampledPolicy(snt.Module):
    """observations -> (action, log π(action)) of a (logits, value) network."""

    def __init__(self, network: snt.Module, action_dtype, name: str = 'sampled_policy'):
        super().__init__(name=name)
        self.network = network
        self._dtype = tf.as_dtype(action_dtype)

    def __call__(self, observations):
        logits, _ = self.network(observations)
        return sample_with_log_prob(logits, self._dtype)


class SampledRecurrentPolicy(snt.RNNCore):
    """(observations, state) -> ((action, log π(action)), new state) of a core
    returning ((logits, value), state)."""

    def __init__(self, core: snt.RNNCore, action_dtype,
                 name: str = 'sampled_recurrent_policy'):
        super().__init__(name=name)
        self.network = core
        self._dtype = tf.as_dtype(action_dtype)

    def __call__(self, observations, state):
        (logits, _), new_state = self.network(observations, state)
        return sample_with_log_prob(logits, self._dtype), new_state

    def initial_state(self, batch_size: int, **kwargs):
        return self.network.initial_state(batch_size, **kwargs)


class GreedyLogits(snt.Module):
    """observations -> argmax of a (logits, value) network's logits."""

    def __init__(self, network: snt.Module, action_dtype, name: str = 'greedy_logits'):
        super().__init__(name=name)
        self.network = network
        self._dtype = tf.as_dtype(action_dtype)

    def __call__(self, observations):
        logits, _ = self.network(observations)
        return greedy(logits, self._dtype)


class GreedyRecurrentLogits(snt.RNNCore):
    """(observations, state) -> (argmax of the logits, new state)."""

    def __init__(self, core: snt.RNNCore, action_dtype,
                 name: str = 'greedy_recurrent_logits'):
        super().__init__(name=name)
        self.network = core
        self._dtype = tf.as_dtype(action_dtype)

    def __call__(self, observations, state):
        (logits, _), new_state = self.network(observations, state)
        return greedy(logits, self._dtype), new_state

    def initial_state(self, batch_size: int, **kwargs):
        return self.network.initial_state(batch_size, **kwargs)
