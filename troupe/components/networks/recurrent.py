"""`LSTMPolicyValueNetwork`: a recurrent actor-critic network (torso, LSTM, head)."""

from typing import Callable, Optional, Tuple

import sonnet as snt
import tensorflow as tf

from troupe import types
from troupe.components import utils as tf2_utils
from troupe.components.networks.policy_value import PolicyValueHead

LogitsAndValue = Tuple[tf.Tensor, tf.Tensor]


class LSTMPolicyValueNetwork(snt.RNNCore):
    """embedding = torso(o); h = LSTM(embedding, state); (logits, value) = head(h).

    A Sonnet RNN core: `__call__(inputs, state)` does one step on a batch,
    `initial_state(batch_size)` gives the zero state and `unroll` runs a
    time-major sequence (torso and head applied to all steps at once).
    """

    def __init__(self,
                 num_actions: int,
                 hidden_size: int = 256,
                 torso: Optional[Callable[[types.NestedTensor], tf.Tensor]] = None,
                 name: str = 'lstm_policy_value_network'):
        """Creates the network.

        Args:
          num_actions: number of discrete actions.
          hidden_size: number of LSTM units (> 0).
          torso: maps a batch of observations to [B, D] embeddings; defaults to
            flattening and concatenating them (`batch_concat`).
          name: module name.
        """
        super().__init__(name=name)
        if int(hidden_size) <= 0:
            raise ValueError(
                f'LSTMPolicyValueNetwork needs hidden_size > 0, got {hidden_size!r}.')
        self._torso = torso if torso is not None else tf2_utils.batch_concat
        self._core = snt.LSTM(int(hidden_size))
        self._head = PolicyValueHead(num_actions)

    def __call__(self, inputs: types.NestedTensor, state: snt.LSTMState
                 ) -> Tuple[LogitsAndValue, snt.LSTMState]:
        """One step: [B, ...] observations -> ((logits [B, A], value [B]), new state)."""
        embeddings = self._torso(inputs)
        outputs, new_state = self._core(embeddings, state)
        return self._head(outputs), new_state

    def initial_state(self, batch_size: int, **unused_kwargs) -> snt.LSTMState:
        """The zero LSTM state for `batch_size` sequences."""
        return self._core.initial_state(batch_size)

    def unroll(self, inputs: types.NestedTensor, state: snt.LSTMState
               ) -> Tuple[LogitsAndValue, snt.LSTMState]:
        """Runs [T, B, ...] observations.

        Returns:
          ((logits [T, B, A], values [T, B]), the state after the last step).
        """
        embeddings = snt.BatchApply(self._torso)(inputs)
        outputs, final_state = snt.dynamic_unroll(self._core, embeddings, state)
        return snt.BatchApply(self._head)(outputs), final_state
