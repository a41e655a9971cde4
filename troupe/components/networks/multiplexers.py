"""`CriticMultiplexer`: feeds (transformed) observations and actions to one critic."""

from typing import Callable, Optional

import sonnet as snt
import tensorflow as tf

from troupe import types
from troupe.components import utils as tf2_utils

TensorTransformation = Callable[[types.NestedTensor], tf.Tensor]


class CriticMultiplexer(snt.Module):
    """Computes critic(batch_concat([observation_network(o), action_network(a)])).

    Any of the three networks may be None, in which case that step is the
    identity; with all three None the module is plain `batch_concat`. When both
    inputs are tensors of different dtypes the action is cast to the observation's
    dtype, so integer or float64 actions can meet float32 observations.
    """

    def __init__(self,
                 critic_network: Optional[TensorTransformation] = None,
                 observation_network: Optional[TensorTransformation] = None,
                 action_network: Optional[TensorTransformation] = None,
                 name: str = 'critic_multiplexer'):
        super().__init__(name=name)
        self._critic_network = critic_network
        self._observation_network = observation_network
        self._action_network = action_network

    def __call__(self, observation: types.NestedTensor,
                 action: types.NestedTensor) -> tf.Tensor:
        """Returns the critic's output for a batch of observations and actions."""
        if self._observation_network is not None:
            observation = self._observation_network(observation)
        if self._action_network is not None:
            action = self._action_network(action)
        if (hasattr(observation, 'dtype') and hasattr(action, 'dtype')
                and observation.dtype != action.dtype):
            action = tf.cast(action, observation.dtype)
        outputs = tf2_utils.batch_concat([observation, action])
        if self._critic_network is not None:
            outputs = self._critic_network(outputs)
        return outputs
