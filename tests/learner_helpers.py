"""Helpers for learner tests: networks with set weights and a constant batch of
transitions as Reverb would give it."""

import numpy as np
import reverb
import sonnet as snt
import tensorflow as tf

from troupe import types


class FixedInit(snt.initializers.Initializer):
    """Initialises a variable to a given value (of the variable's shape)."""

    def __init__(self, value):
        self._value = np.array(value, np.float32)

    def __call__(self, shape, dtype):
        return tf.constant(self._value, dtype)


def fixed_linear(weights):
    """A bias-free linear layer with the given [inputs, outputs] weights."""
    return snt.Linear(len(weights[0]), with_bias=False, w_init=FixedInit(weights))


def constant_transition_batches(observation, action, reward, discount, next_observation,
                                probability):
    """A dataset repeating one batch of transitions as `reverb.ReplaySample`s."""
    n = len(action)
    info = reverb.SampleInfo(
        key=tf.constant(np.arange(n, dtype=np.uint64)),
        probability=tf.constant(probability, tf.float64),
        table_size=tf.fill([n], tf.constant(n, tf.int64)),
        priority=tf.ones([n], tf.float64), times_sampled=tf.ones([n], tf.int32))
    data = types.Transition(
        observation=tf.constant(observation, tf.float32),
        action=tf.constant(action, tf.int64), reward=tf.constant(reward, tf.float32),
        discount=tf.constant(discount, tf.float32),
        next_observation=tf.constant(next_observation, tf.float32), extras=())
    return tf.data.Dataset.from_tensors(reverb.ReplaySample(info, data)).repeat()
