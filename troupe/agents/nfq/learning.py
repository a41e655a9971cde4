"""NFQLearner: neural fitted Q-iteration on minibatches from a replay table.

Riedmiller (2005), as the first deep agent of the EEML 2021 RL tutorial: the
Q-network is regressed onto stop-gradient Q-learning targets computed with the
same network (no target network),

    loss = mean_i ½ (r_i + g · d_i · max_a Q(s'_i, a) − Q(s_i, a_i))²,

where d_i is the transition's discount (0 at termination) and g the agent
discount.
"""

from typing import Iterator, List, Optional, Sequence, Union

import numpy as np
import sonnet as snt
import tensorflow as tf
import tree

from troupe import core
from troupe.components import counting, devices, learning, loggers, losses
from troupe.components import utils as tf2_utils
from troupe.components.variables import ModuleVariableSource


class NFQLearner(core.Learner):
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
        self._device = devices.select_device(device, role='NFQLearner')
        self._network = network
        self._discount = float(discount)
        self._updates_per_call = int(updates_per_call)
        self._iterator = iter(dataset)
        observation_spec = tree.map_structure(
            lambda s: tf.TensorSpec(s.shape[1:], s.dtype),
            self._iterator.element_spec.data.observation)
        with tf.device(self._device):
            self._optimizer = optimizer or snt.optimizers.Adam(learning_rate)
            self._num_steps = tf.Variable(0, dtype=tf.int64, name='num_steps')
            tf2_utils.create_variables(network, [observation_spec])
        self._source = ModuleVariableSource({'network': network.trainable_variables})
        self._counter = counter if counter is not None else counting.Counter()
        if logger is None:
            logger = loggers.TerminalLogger('learner', time_delta=1.)
        self._recorder = learning.StepRecorder(
            self._counter, logger, checkpointer=learning.make_checkpointer(
                checkpoint, self.state, directory, 'nfq_learner'))
        self._sgd_step = tf.function(self._sgd_step_fn, jit_compile=jit_compile)
        self._update = tf.function(self._update_fn)

    def _sgd_step_fn(self, transitions):
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
        self._num_steps.assign_add(1)
        return loss

    def _update_fn(self):
        """`updates_per_call` updates, each on a fresh batch from the iterator."""
        loss = tf.constant(0.0)
        for _ in range(self._updates_per_call):
            sample = next(self._iterator)
            with tf.device(self._device):
                loss = self._sgd_step(sample.data)
        return loss

    def step(self):
        with tf.device(self._device):
            loss = self._update()
        self._recorder.record({'loss': loss}, steps=self._updates_per_call)

    def get_variables(self, names: Sequence[str]) -> List[List[np.ndarray]]:
        return self._source.get_variables(names)

    @property
    def device(self) -> str:
        return self._device

    @property
    def num_updates(self) -> int:
        """SGD updates applied so far."""
        return int(self._num_steps.numpy())

    @property
    def state(self):
        return {'network': self._network, 'optimizer': self._optimizer,
                'num_steps': self._num_steps, 'counter': self._counter}
