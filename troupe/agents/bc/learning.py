"""BCLearner: fits a policy network to the actions of a dataset of transitions.

Discrete actions (integer dtype) use softmax cross-entropy on the network's logits;
continuous actions use mean squared error; a network that returns a
`tfd.Distribution` is fitted by maximum likelihood. The update is one
`tf.function`; the rest (the device, counting, logging, `get_variables`,
`num_updates`) is `components.learning.LearnerBase`.
"""

from typing import Iterator, Optional, Union

import sonnet as snt
import tensorflow as tf
import tensorflow_probability as tfp
import tree

from troupe.agents import checks
from troupe.components import counting, learning, loggers
from troupe.components import utils as tf2_utils

tfd = tfp.distributions


def behaviour_cloning_loss(output, actions: tf.Tensor) -> tf.Tensor:
    """Mean loss of a network `output` against demonstrated `actions` [B, ...]."""
    if isinstance(output, tfd.Distribution):
        return -tf.reduce_mean(output.log_prob(actions))
    if actions.dtype.is_integer:
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.cast(actions, tf.int32), logits=output))
    return tf.reduce_mean(tf.square(output - tf.cast(actions, output.dtype)))


class BCLearner(learning.LearnerBase):
    """Behaviour cloning from a dataset of `reverb.ReplaySample`s of Transitions.

    Serves the network's trainable variables as 'policy'.
    """

    def __init__(self,
                 network: snt.Module,
                 dataset: Union[tf.data.Dataset, Iterator],
                 learning_rate: float = 1e-3,
                 optimizer: Optional[snt.Optimizer] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = False,
                 directory: str = '~/troupe',
                 device: Optional[str] = None,
                 *,
                 updates_per_call: int = 1,
                 jit_compile: bool = False):
        """Creates the learner.

        Args:
          network: [B, ...] observations -> logits (discrete actions), actions
            (continuous) or a `tfd.Distribution`.
          dataset: a dataset (or iterator) of batched `reverb.ReplaySample`s of
            `types.Transition`s (the demonstrations).
          learning_rate: Adam's learning rate (> 0), unless `optimizer` is given.
          optimizer: an `snt.Optimizer` to use instead.
          counter: counts 'steps' (updates) and 'walltime'.
          logger: receives 'loss' and the counts (default:
            `loggers.make_default_logger('learner')`).
          checkpoint: whether to checkpoint its `state` (network, optimizer,
            update count and counter).
          directory: checkpoint root.
          device: where variables live and updates run (see `devices`).
          updates_per_call: SGD updates per `step()` (>= 1), each on a fresh
            batch.
          jit_compile: XLA-compile the update.
        """
        checks.check_positive('learning_rate', learning_rate)
        if logger is None:
            logger = loggers.make_default_logger('learner', steps_key='learner_steps')
        super().__init__(dataset, label='BCLearner', device=device,
                         updates_per_call=updates_per_call, jit_compile=jit_compile,
                         counter=counter, logger=logger, checkpoint=checkpoint,
                         directory=directory, checkpoint_subdirectory='bc_learner')
        self._network = network
        observation_spec = tree.map_structure(
            lambda s: tf.TensorSpec(s.shape[1:], s.dtype),
            self.element_spec.data.observation)
        with tf.device(self.device):
            self._optimizer = optimizer or snt.optimizers.Adam(learning_rate)
            tf2_utils.create_variables(network, [observation_spec])
        self._finish({'policy': network.trainable_variables},
                     {'network': network, 'optimizer': self._optimizer})

    def _sgd_step_fn(self, sample):
        """One maximum-likelihood step on a batch; returns the loss."""
        transitions = sample.data
        variables = self._network.trainable_variables
        with tf.GradientTape() as tape:
            loss = behaviour_cloning_loss(self._network(transitions.observation),
                                          transitions.action)
        gradients = tape.gradient(loss, variables)
        self._optimizer.apply(gradients, variables)
        return {'loss': loss}
