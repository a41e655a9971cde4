"""BootstrappedDQNLearner: the whole ensemble trained from one replay table.

Each update samples one batch of transitions (uniformly), computes every
member's values in one call of the ensemble, and minimises
`losses.ensemble_q_learning`: each member's TD loss against its own member of
the target ensemble, weighted by its bootstrap masks (the transitions'
`extras['mask']`), averaged over batch and members. One Adam optimizer holds
all members' trainable variables (the priors are not among them); the target
ensemble, priors included, is copied from the online one every
`target_update_period` updates. The rest (device, compiled calls, counting,
logging, `get_variables`) is `components.learning.LearnerBase`.
"""

from typing import Iterator, Optional, Union

import sonnet as snt
import tensorflow as tf
import tree

from troupe import errors
from troupe.agents import checks
from troupe.agents.bootstrapped_dqn import actor as actor_lib
from troupe.components import counting, learning, loggers, losses
from troupe.components import utils as tf2_utils


class BootstrappedDQNLearner(learning.LearnerBase):
    """The learner (see the module docstring). It serves the ensemble's
    variables, priors included, as 'network', so an actor's own copy of the
    ensemble (in another process) gets the same priors."""

    def __init__(self,
                 network: snt.Module,
                 target_network: snt.Module,
                 discount: float,
                 learning_rate: float,
                 target_update_period: int,
                 dataset: Union[tf.data.Dataset, Iterator],
                 *,
                 double_q: bool = False,
                 huber_loss_parameter: Optional[float] = None,
                 max_gradient_norm: Optional[float] = None,
                 optimizer: Optional[snt.Optimizer] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = False,
                 device: Optional[str] = None,
                 updates_per_call: int = 1,
                 jit_compile: bool = True,
                 directory: str = '~/troupe',
                 checkpoint_subdirectory: str = 'bootstrapped_dqn_learner'):
        """Creates the learner.

        Args:
          network: the online ensemble, [B, ...] observations -> [B, K, A].
          target_network: a module of the same structure (e.g. a deep copy);
            its variables are set to the online ones here.
          discount: the agent discount g in [0, 1]; the bootstrap term is
            g · transition.discount · Q_target,k(s', ·).
          learning_rate: Adam's learning rate (> 0), unless `optimizer` is given.
          target_update_period: updates between target copies (>= 1).
          dataset: a dataset (or iterator) of batched `reverb.ReplaySample`s of
            `types.Transition`s whose extras hold the [K] float32 'mask'.
          double_q: double-Q targets instead of plain Q-learning targets.
          huber_loss_parameter: the Huber δ; None: the squared loss.
          max_gradient_norm: clips the global gradient norm; None: no clipping.
          optimizer: an `snt.Optimizer` to use instead of Adam(learning_rate).
          counter: counts 'steps' (updates) and 'walltime'.
          logger: receives 'loss' and the counts every step.
          checkpoint: whether the learner checkpoints its `state` itself.
          device: where variables live and updates run (see `devices`).
          updates_per_call: SGD updates per `step()` (>= 1).
          jit_compile: XLA-compile the update arithmetic.
          directory: checkpoint root.
          checkpoint_subdirectory: names this learner's checkpoints.
        """
        checks.check_unit_interval('discount', discount)
        checks.check_positive('learning_rate', learning_rate)
        checks.check_positive_int('target_update_period', target_update_period)
        if huber_loss_parameter is not None:
            checks.check_positive('huber_loss_parameter', huber_loss_parameter)
        if max_gradient_norm is not None:
            checks.check_positive('max_gradient_norm', max_gradient_norm)
        super().__init__(dataset, label='BootstrappedDQNLearner', device=device,
                         updates_per_call=updates_per_call, jit_compile=jit_compile,
                         counter=counter, logger=logger, checkpoint=checkpoint,
                         directory=directory,
                         checkpoint_subdirectory=checkpoint_subdirectory)
        extras = self.element_spec.data.extras
        if not isinstance(extras, dict) or actor_lib.MASK not in extras:
            raise ValueError(
                "BootstrappedDQNLearner needs transitions whose extras hold the "
                f"bootstrap 'mask'; the dataset's extras are {extras!r}.")
        self._network = network
        self._target_network = target_network
        self._discount = float(discount)
        self._double_q = bool(double_q)
        self._huber_delta = huber_loss_parameter
        self._target_update_period = int(target_update_period)
        self._max_gradient_norm = max_gradient_norm

        observation_spec = tree.map_structure(
            lambda s: tf.TensorSpec(s.shape[1:], s.dtype),
            self.element_spec.data.observation)
        with tf.device(self.device):
            self._optimizer = optimizer or snt.optimizers.Adam(learning_rate)
            output = tf2_utils.create_variables(network, [observation_spec])
            tf2_utils.create_variables(target_network, [observation_spec])
        members = extras[actor_lib.MASK].shape[-1]
        if output is None or output.shape.rank != 2 or output.shape[0] != members:
            raise errors.InvalidInput(
                f'BootstrappedDQNLearner needs a network of [B, K, A] values with K = '
                f'{members} (the size of the masks); it outputs '
                f'{None if output is None else [None] + output.shape.as_list()}.')
        learning.assign_target(network.variables, target_network.variables)
        self._finish({'network': network.variables},
                     {'network': network, 'target_network': target_network,
                      'optimizer': self._optimizer})

    # Traced as plain Python (no data-dependent Python control flow in it or
    # below it): autograph's conversion of the ensemble, the loss and the
    # optimizer took most of a ten-second first trace on this 2-core machine.
    @tf.autograph.experimental.do_not_convert
    def _sgd_step_fn(self, sample):
        """One update of the whole ensemble on a batch; returns the loss."""
        transitions = sample.data
        network, variables = self._network, self._network.trainable_variables
        with tf.GradientTape() as tape:
            q_tm1 = network(transitions.observation)
            q_t_value = self._target_network(transitions.next_observation)
            q_t_selector = (network(transitions.next_observation) if self._double_q
                            else None)
            dtype = q_tm1.dtype
            td = losses.ensemble_q_learning(
                q_tm1, transitions.action, tf.cast(transitions.reward, dtype),
                tf.cast(transitions.discount, dtype) * self._discount, q_t_value,
                transitions.extras[actor_lib.MASK], q_t_selector=q_t_selector,
                huber_delta=self._huber_delta)
        gradients = tape.gradient(td.loss, variables)
        if self._max_gradient_norm is not None:
            gradients, _ = tf.clip_by_global_norm(gradients, self._max_gradient_norm)
        self._optimizer.apply(gradients, variables)
        learning.periodic_target_update(self._num_steps, self._target_update_period,
                                        network.variables,
                                        self._target_network.variables)
        return {'loss': td.loss}
