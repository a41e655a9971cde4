"""`PolicyValueHead`: the two linear outputs of actor-critic agents (A2C, IMPALA)."""

from typing import Tuple

import sonnet as snt
import tensorflow as tf


class PolicyValueHead(snt.Module):
    """Maps [B, D] embeddings to policy logits [B, num_actions] and a value [B]."""

    def __init__(self, num_actions: int, name: str = 'policy_value_network'):
        super().__init__(name=name)
        if int(num_actions) <= 0:
            raise ValueError(
                f'PolicyValueHead needs num_actions > 0, got {num_actions!r}.')
        self._policy_layer = snt.Linear(int(num_actions), name='policy')
        self._value_layer = snt.Linear(1, name='value')

    def __call__(self, inputs: tf.Tensor) -> Tuple[tf.Tensor, tf.Tensor]:
        """Returns (logits, value)."""
        logits = self._policy_layer(inputs)
        value = tf.squeeze(self._value_layer(inputs), axis=-1)
        return logits, value
