"""BCLearner: fits a policy network to the actions of a dataset of transitions.

Discrete actions (integer dtype) use softmax cross-entropy on the network's logits;
continuous actions use mean squared error; a network that returns a
`tfd.Distribution` is fitted by maximum likelihood.
"""

from typing import Iterator, List, Optional, Sequence, Union

import numpy as np
import reverb
import sonnet as snt
import tensorflow as tf
import tensorflow_probability as tfp
import tree

from troupe import core
from troupe.components import counting, devices, learning, loggers
from troupe.components import utils as tf2_utils
from troupe.components.variables import ModuleVariableSource

tfd = tfp.distributions


def behaviour_cloning_loss(output, actions: tf.Tensor) -> tf.Tensor:
    """Mean loss of a network `output` against demonstrated `actions` [B, ...]."""
    if isinstance(output, tfd.Distribution):
        return -tf.reduce_mean(output.log_prob(actions))
    if actions.dtype.is_integer:
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.cast(actions, tf.int32), logits=output))
    return tf.reduce_mean(tf.square(output - tf.cast(actions, output.dtype)))


class BCLearner(core.Learner):
    """Behaviour cloning from a dataset of `reverb.ReplaySample`s of Transitions."""

    def __init__(self,
                 network: snt.Module,
                 dataset: Union[tf.data.Dataset, Iterator],
                 learning_rate: float = 1e-3,
                 optimizer: Optional[snt.Optimizer] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = False,
                 directory: str = '~/troupe',
                 device: Optional[str] = None):
        if learning_rate <= 0:
            raise ValueError(f'learning_rate must be > 0, got {learning_rate}.')
        self._device = devices.select_device(device, role='BCLearner')
        self._network = network
        self._iterator = iter(dataset)
        element_spec = self._iterator.element_spec
        observation_spec = element_spec.data.observation
        with tf.device(self._device):
            self._optimizer = optimizer or snt.optimizers.Adam(learning_rate)
            unbatched = tree.map_structure(
                lambda s: tf.TensorSpec(s.shape[1:], s.dtype), observation_spec)
            tf2_utils.create_variables(network, [unbatched])
        self._source = ModuleVariableSource({'policy': network.trainable_variables})
        self._counter = counter if counter is not None else counting.Counter()
        self._recorder = learning.StepRecorder(
            self._counter, logger, checkpointer=learning.make_checkpointer(
                checkpoint, {'network': network, 'optimizer': self._optimizer,
                             'counter': self._counter},
                directory, 'bc_learner'))
        self._checkpointer = self._recorder.checkpointer

    @tf.function
    def _update(self, sample: reverb.ReplaySample):
        transitions = sample.data
        with tf.device(self._device):
            with tf.GradientTape() as tape:
                loss = behaviour_cloning_loss(
                    self._network(transitions.observation), transitions.action)
            variables = self._network.trainable_variables
            gradients = tape.gradient(loss, variables)
            self._optimizer.apply(gradients, variables)
        return {'loss': loss}

    def step(self):
        fetches = self._update(next(self._iterator))
        self._recorder.record({k: float(v.numpy()) for k, v in fetches.items()})

    def get_variables(self, names: Sequence[str]) -> List[List[np.ndarray]]:
        return self._source.get_variables(names)

    @property
    def device(self) -> str:
        return self._device

    @property
    def state(self):
        return {'network': self._network, 'optimizer': self._optimizer,
                'counter': self._counter}
