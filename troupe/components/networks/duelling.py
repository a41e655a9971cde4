"""A duelling Q-network head (Wang et al., 2016, https://arxiv.org/abs/1511.06581)."""

from typing import Sequence

import sonnet as snt
import tensorflow as tf


class DuellingMLP(snt.Module):
    """Q(s, a) = V(s) + A(s, a) − mean_a' A(s, a'), from two MLP streams.

    Separating the state value from the (zero-mean) advantages lets the value be
    learned from every action's update.
    """

    def __init__(self, num_actions: int, hidden_sizes: Sequence[int],
                 name: str = 'duelling_q_network'):
        """Creates the head.

        Args:
          num_actions: number of discrete actions (> 0).
          hidden_sizes: hidden layer sizes of both the value and advantage MLPs.
          name: module name.
        """
        super().__init__(name=name)
        if int(num_actions) <= 0:
            raise ValueError(f'DuellingMLP needs num_actions > 0, got {num_actions!r}.')
        hidden_sizes = list(hidden_sizes)
        self._value_mlp = snt.nets.MLP(hidden_sizes + [1], name='value')
        self._advantage_mlp = snt.nets.MLP(hidden_sizes + [int(num_actions)],
                                           name='advantage')

    def value_and_advantages(self, inputs: tf.Tensor):
        """Returns V [B, 1] and the raw (not yet centred) advantages [B, A]."""
        return self._value_mlp(inputs), self._advantage_mlp(inputs)

    def __call__(self, inputs: tf.Tensor) -> tf.Tensor:
        """Maps [B, D] embeddings to [B, num_actions] Q-values."""
        value, advantages = self.value_and_advantages(inputs)
        advantages -= tf.reduce_mean(advantages, axis=-1, keepdims=True)
        return value + advantages
