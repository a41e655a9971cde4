"""DQNLearner: double Q-learning with n-step returns from a prioritized replay table.

Each update samples a batch of n-step transitions, computes double-Q targets with
a target network, weights the Huber loss of the TD errors by importance-sampling
weights, clips the gradient norm, applies the optimizer, writes |TD error| back
as the items' new priorities and refreshes the target network (a copy every
`target_update_period` updates, or Polyak averaging at `target_update_rate`).

The arithmetic of an update is one `tf.function(jit_compile=True)`; a second
`tf.function` pulls `updates_per_call` batches from the dataset and runs that
many updates, so one `step()` costs one Python call however many updates it does.
"""

from typing import Iterator, List, Optional, Sequence, Union

import numpy as np
import reverb
import sonnet as snt
import tensorflow as tf
import tree

from troupe import core
from troupe.components import counting, devices, learning, loggers, losses
from troupe.components import replay
from troupe.components import utils as tf2_utils
from troupe.components.adders import DEFAULT_PRIORITY_TABLE
from troupe.components.variables import ModuleVariableSource
from troupe.agents import checks


def _unbatched(spec):
    return tree.map_structure(lambda s: tf.TensorSpec(s.shape[1:], s.dtype), spec)


class DQNLearner(core.Learner):
    """The DQN learner (see the module docstring); serves variables as 'network'."""

    def __init__(self,
                 network: snt.Module,
                 target_network: snt.Module,
                 discount: float,
                 importance_sampling_exponent: float,
                 learning_rate: float,
                 target_update_period: int,
                 dataset: Union[tf.data.Dataset, Iterator],
                 huber_loss_parameter: float = 1.,
                 replay_client: Optional[Union[reverb.Client, reverb.TFClient]] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 max_gradient_norm: Optional[float] = None,
                 device: Optional[str] = None,
                 *,
                 optimizer: Optional[snt.Optimizer] = None,
                 target_update_rate: Optional[float] = None,
                 reward_clip: Optional[float] = None,
                 updates_per_call: int = 1,
                 jit_compile: bool = True,
                 table: str = DEFAULT_PRIORITY_TABLE,
                 directory: str = '~/troupe',
                 checkpoint_subdirectory: str = 'dqn_learner'):
        """Creates the learner.

        Args:
          network: the online Q-network, [B, ...] observations -> [B, A] values.
          target_network: a network of the same structure (e.g. a deep copy).
          discount: the agent discount g in [0, 1]; the bootstrap term is
            g · transition.discount · Q_target(s', a*), where the adder's
            discount already holds g^(n-1) times the environment discounts.
          importance_sampling_exponent: β in [0, 1] of the PER weights.
          learning_rate: Adam's learning rate (> 0), unless `optimizer` is given.
          target_update_period: updates between target copies (>= 1).
          dataset: a dataset (or iterator) of batched `reverb.ReplaySample`s of
            `types.Transition`s, e.g. from `replay.make_reverb_dataset`.
          huber_loss_parameter: the Huber delta (> 0).
          replay_client: where new priorities go: a `reverb.TFClient` (written
            inside the update graph, as Acme does) or a `reverb.Client`; None
            leaves priorities untouched.
          counter: counts 'steps' (updates) and 'walltime'.
          logger: receives 'loss' and the counts every step (default: terminal,
            once a second, as in Acme).
          checkpoint: whether to checkpoint network, target, optimizer, counter.
          max_gradient_norm: clips the global gradient norm; None: no clipping.
          device: where variables live and updates run (see `devices`).
          optimizer: an `snt.Optimizer` to use instead of Adam(learning_rate).
          target_update_rate: if set, Polyak rate τ in (0, 1] applied every
            update instead of the periodic copy.
          reward_clip: if set, n-step rewards are clipped to [-c, c].
          updates_per_call: SGD updates per `step()` (>= 1).
          jit_compile: XLA-compile the update arithmetic.
          table: the replay table whose priorities are updated.
          directory: checkpoint root.
          checkpoint_subdirectory: names this learner's checkpoints.
        """
        checks.check_unit_interval('discount', discount)
        checks.check_unit_interval('importance_sampling_exponent',
                                       importance_sampling_exponent)
        checks.check_positive('learning_rate', learning_rate)
        checks.check_positive('huber_loss_parameter', huber_loss_parameter)
        checks.check_positive_int('target_update_period', target_update_period)
        checks.check_positive_int('updates_per_call', updates_per_call)
        if max_gradient_norm is not None:
            checks.check_positive('max_gradient_norm', max_gradient_norm)
        if reward_clip is not None:
            checks.check_positive('reward_clip', reward_clip)
        if target_update_rate is not None and not 0 < target_update_rate <= 1:
            raise ValueError(f'target_update_rate must be in (0, 1] or None, got '
                             f'{target_update_rate!r}.')
        self._device = devices.select_device(device, role='DQNLearner')
        self._network = network
        self._target_network = target_network
        self._discount = float(discount)
        self._beta = float(importance_sampling_exponent)
        self._huber_delta = float(huber_loss_parameter)
        self._target_update_period = int(target_update_period)
        self._target_update_rate = target_update_rate
        self._max_gradient_norm = max_gradient_norm
        self._reward_clip = reward_clip
        self._updates_per_call = int(updates_per_call)
        self._table = table
        self._replay_client = replay_client
        self._in_graph_priorities = isinstance(replay_client, reverb.TFClient)

        self._iterator = iter(dataset)
        observation_spec = _unbatched(self._iterator.element_spec.data.observation)
        with tf.device(self._device):
            self._optimizer = optimizer or snt.optimizers.Adam(learning_rate)
            self._num_steps = tf.Variable(0, dtype=tf.int64, name='num_steps')
            tf2_utils.create_variables(network, [observation_spec])
            tf2_utils.create_variables(target_network, [observation_spec])
        learning.assign_target(network.variables, target_network.variables)
        self._source = ModuleVariableSource({'network': network.trainable_variables})
        self._counter = counter if counter is not None else counting.Counter()
        if logger is None:
            logger = loggers.TerminalLogger('learner', time_delta=1.)
        self._recorder = learning.StepRecorder(
            self._counter, logger, checkpointer=learning.make_checkpointer(
                checkpoint, {'network': network, 'target_network': target_network,
                             'optimizer': self._optimizer, 'num_steps': self._num_steps,
                             'counter': self._counter},
                directory, checkpoint_subdirectory))
        self._sgd_step = tf.function(self._sgd_step_fn, jit_compile=jit_compile)
        self._update = tf.function(self._update_fn)

    def _sgd_step_fn(self, transitions, probabilities):
        """One update on a batch; returns the loss and the new priorities."""
        network, variables = self._network, self._network.trainable_variables
        with tf.GradientTape() as tape:
            q_tm1 = network(transitions.observation)
            q_t_selector = network(transitions.next_observation)
            q_t_value = self._target_network(transitions.next_observation)
            dtype = q_tm1.dtype
            r_t = tf.cast(transitions.reward, dtype)
            if self._reward_clip is not None:
                r_t = tf.clip_by_value(r_t, -self._reward_clip, self._reward_clip)
            d_t = tf.cast(transitions.discount, dtype) * self._discount
            td = losses.double_q_learning(q_tm1, transitions.action, r_t, d_t,
                                          q_t_value, q_t_selector)
            weights = losses.importance_sampling_weights(
                tf.cast(probabilities, dtype), self._beta)
            loss = tf.reduce_mean(
                weights * losses.huber(td.td_error, self._huber_delta))
        gradients = tape.gradient(loss, variables)
        if self._max_gradient_norm is not None:
            gradients, _ = tf.clip_by_global_norm(gradients, self._max_gradient_norm)
        self._optimizer.apply(gradients, variables)
        if self._target_update_rate is not None:
            learning.assign_target(network.variables, self._target_network.variables,
                                   self._target_update_rate)
        elif self._target_update_period == 1:
            learning.assign_target(network.variables, self._target_network.variables)
        else:
            def copy():
                learning.assign_target(network.variables,
                                       self._target_network.variables)
                return tf.constant(True)
            tf.cond(self._num_steps % self._target_update_period == 0, copy,
                    lambda: tf.constant(False))
        self._num_steps.assign_add(1)
        return loss, losses.td_priorities(td.td_error)

    def _update_fn(self):
        """`updates_per_call` updates, each on a fresh batch from the iterator."""
        loss = tf.constant(0.0)
        keys, priorities = [], []
        for _ in range(self._updates_per_call):
            sample = next(self._iterator)
            with tf.device(self._device):
                loss, new_priorities = self._sgd_step(sample.data,
                                                      sample.info.probability)
            if self._in_graph_priorities:
                self._replay_client.update_priorities(
                    self._table, sample.info.key, new_priorities)
            else:
                keys.append(sample.info.key)
                priorities.append(new_priorities)
        return loss, keys, priorities

    def step(self):
        with tf.device(self._device):  # Also places variables made on first use.
            loss, keys, priorities = self._update()
        if self._replay_client is not None and not self._in_graph_priorities:
            for k, p in zip(keys, priorities):
                replay.mutate_priorities(self._replay_client, self._table, k, p)
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
        return {'network': self._network, 'target_network': self._target_network,
                'optimizer': self._optimizer, 'num_steps': self._num_steps,
                'counter': self._counter}
