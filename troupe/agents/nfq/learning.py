"""NFQLearner: neural fitted Q-iteration on minibatches from a replay table.

Riedmiller (2005), as the first deep agent of the EEML 2021 RL tutorial: the
Q-network is regressed onto stop-gradient Q-learning targets computed with the
same network (no target network),

    loss = mean_i ½ (r_i + g · d_i · max_a Q(s'_i, a) − Q(s_i, a_i))²,

where d_i is the transition's discount (0 at termination) and g the agent
discount. The update is one `tf.function` (XLA-compiled by default); the rest
(the device, `updates_per_call` updates per `step()`, counting, logging,
`get_variables`) is `components.learning.LearnerBase`.
"""

from typing import Iterator, Optional, Union

import sonnet as snt
import tensorflow as tf
import tree

from troupe.components import counting, learning, loggers, losses
from troupe.components import utils as tf2_utils


class NFQLearner(learning.LearnerBase):
    """Fits Q-values to one-step targets from the network itself; serves 'network'."""

    def __init__(self,
                 network: snt.Module,
                 dataset: Union[tf.data.Dataset, Iterator],
                 discount: float = 0.99,
                 learning_rate: float = 1e-3,
                 optimizer: Optional[snt.Optimizer] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = False,
                 device: Optional[str] = None,
                 *,
                 jit_compile: bool = True,
                 updates_per_call: int = 1,
                 directory: str = '~/troupe'):
        """Creates the learner.

        The ranges given below are not checked here: `NFQConfig` validates them
        once, and `NFQBuilder` builds learners from a config.

        Args:
          network: the Q-network, [B, ...] observations -> [B, num_actions].
          dataset: batched `reverb.ReplaySample`s of 1-step `types.Transition`s.
          discount: the agent discount g in [0, 1].
          learning_rate: Adam's learning rate (> 0), unless `optimizer` is given.
          optimizer: an `snt.Optimizer` to use instead.
          counter: counts 'steps' and 'walltime'.
          logger: receives 'loss' and the counts (default: terminal, 1/s).
          checkpoint: whether to checkpoint its `state` (network, optimizer,
            update count and counter).
          device: where variables live and updates run (see `devices`).
          jit_compile: XLA-compile the update.
          updates_per_call: SGD updates per `step()` (>= 1), each on a fresh
            batch.
          directory: checkpoint root.
        """
        super().__init__(dataset, label='NFQLearner', device=device,
                         updates_per_call=updates_per_call, jit_compile=jit_compile,
                         counter=counter, logger=logger, checkpoint=checkpoint,
                         directory=directory, checkpoint_subdirectory='nfq_learner')
        self._network = network
        self._discount = float(discount)
        observation_spec = tree.map_structure(
            lambda s: tf.TensorSpec(s.shape[1:], s.dtype),
            self.element_spec.data.observation)
        with tf.device(self.device):
            self._optimizer = optimizer or snt.optimizers.Adam(learning_rate)
            tf2_utils.create_variables(network, [observation_spec])
        self._finish({'network': network.trainable_variables},
                     {'network': network, 'optimizer': self._optimizer})

    def _sgd_step_fn(self, sample):
        """One regression step on a batch; returns the loss."""
        transitions = sample.data
        variables = self._network.trainable_variables
        with tf.GradientTape() as tape:
            q_tm1 = self._network(transitions.observation)
            q_t = self._network(transitions.next_observation)
            dtype = q_tm1.dtype
            td = losses.q_learning(
                q_tm1, transitions.action, tf.cast(transitions.reward, dtype),
                tf.cast(transitions.discount, dtype) * self._discount, q_t)
            loss = tf.reduce_mean(0.5 * tf.square(td.td_error))
        gradients = tape.gradient(loss, variables)
        self._optimizer.apply(gradients, variables)
        return {'loss': loss}
