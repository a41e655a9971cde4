"""`OnPolicyLearner`: what the REINFORCE, A2C and IMPALA learners share.

One update (forward pass over the T + 1 steps, value targets,
`losses.actor_critic_loss` over the real transitions, gradient clipping, Adam)
on top of `components.learning.LearnerBase` (device, iterator, the compiled
call, counting, logging, checkpoints). Subclasses say how values and targets are computed (`_targets`)
and, for recurrent networks, how the sequence is unrolled (`_forward`).
"""

import abc
from typing import Dict, Iterator, Optional, Tuple, Union

import sonnet as snt
import tensorflow as tf
import tree

from troupe.agents import checks
from troupe.agents.on_policy import sequences as sequences_lib
from troupe.components import counting, learning, loggers
from troupe.components import utils as tf2_utils
from troupe.components.losses import policy_gradient

Targets = Tuple[tf.Tensor, Optional[tf.Tensor]]


def unbatched(spec, num_leading: int = 2):
    """Drops the leading (batch and time) dimensions of a nest of TensorSpecs."""
    return tree.map_structure(
        lambda s: tf.TensorSpec(s.shape[num_leading:], s.dtype), spec)


class OnPolicyLearner(learning.LearnerBase):
    """One actor-critic update per `step()` on a batch of (T + 1)-step sequences.

    The loss is `losses.actor_critic_loss` over the real transitions of the
    batch (mask 1), with value targets and advantages from `_targets`.
    Serves the network's trainable variables as 'policy'.
    """

    def __init__(self,
                 network: snt.Module,
                 dataset: Union[tf.data.Dataset, Iterator],
                 discount: float = 0.99,
                 learning_rate: float = 1e-3,
                 entropy_cost: float = 0.01,
                 baseline_cost: float = 0.5,
                 max_gradient_norm: Optional[float] = None,
                 max_abs_reward: Optional[float] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 *,
                 optimizer: Optional[snt.Optimizer] = None,
                 directory: str = '~/troupe',
                 checkpoint_subdirectory: str = 'learner',
                 label: str = 'learner'):
        """Creates the learner.

        Args:
          network: maps [B, ...] observations to (logits [B, A], value [B]).
          dataset: a dataset (or iterator) of `reverb.ReplaySample`s whose data
            are batches of `adders.Step` sequences [B, T + 1, ...] with extras
            'mask' (and 'log_prob'), as written by the on-policy actors.
          discount: the agent discount γ in [0, 1].
          learning_rate: Adam's learning rate (> 0), unless `optimizer` is given.
          entropy_cost: weight of the entropy bonus (>= 0).
          baseline_cost: weight of the value loss (>= 0).
          max_gradient_norm: clips the global gradient norm; None: no clipping.
          max_abs_reward: clips rewards to [-c, c]; None: no clipping.
          counter: counts 'steps' (updates) and 'walltime'.
          logger: receives the loss terms and counts every step (default:
            terminal, once a second).
          checkpoint: whether to checkpoint network, optimizer and counter.
          device: where variables live and updates run (see `devices`).
          optimizer: an `snt.Optimizer` to use instead of Adam(learning_rate).
          directory: checkpoint root.
          checkpoint_subdirectory: names this learner's checkpoints.
          label: names the learner in logs.
        """
        # For learners built directly (Acme's contract); a builder's config has
        # already checked the same values.
        checks.check_unit_interval('discount', discount)
        checks.check_positive('learning_rate', learning_rate)
        checks.check_non_negative('entropy_cost', entropy_cost)
        checks.check_non_negative('baseline_cost', baseline_cost)
        if max_gradient_norm is not None:
            checks.check_positive('max_gradient_norm', max_gradient_norm)
        if max_abs_reward is not None:
            checks.check_positive('max_abs_reward', max_abs_reward)
        if logger is None:
            logger = loggers.TerminalLogger(label, time_delta=1.)
        # One batch per update: the on-policy schedule hands over one batch of
        # sequences per `step()`. boolean_mask has a dynamic shape: no XLA.
        super().__init__(dataset, label=label, device=device, counter=counter,
                         logger=logger, checkpoint=checkpoint, directory=directory,
                         checkpoint_subdirectory=checkpoint_subdirectory)
        self._network = network
        self._discount = float(discount)
        self._entropy_cost = float(entropy_cost)
        self._baseline_cost = float(baseline_cost)
        self._max_gradient_norm = max_gradient_norm
        self._max_abs_reward = max_abs_reward
        with tf.device(self.device):
            self._optimizer = optimizer or snt.optimizers.Adam(learning_rate)
            self._create_variables(self.element_spec.data)
        self._finish({'policy': network.trainable_variables},
                     {'network': network, 'optimizer': self._optimizer})

    # ------------------------------------------------------------ subclass hooks

    def _create_variables(self, data_spec) -> None:
        """Builds the network's variables from the dataset's element spec."""
        tf2_utils.create_variables(self._network, [unbatched(data_spec.observation)])

    def _forward(self, observation, extras) -> Tuple[tf.Tensor, tf.Tensor]:
        """(logits [T + 1, B, A], values [T + 1, B]) for time-major observations."""
        del extras
        return snt.BatchApply(self._network)(observation)

    @abc.abstractmethod
    def _targets(self, sequences: sequences_lib.Sequences, logits: tf.Tensor,
                 values: tf.Tensor) -> Targets:
        """(value targets [T, B], advantages [T, B] or None for targets - V)."""

    # ------------------------------------------------------------------ update

    def loss(self, data) -> policy_gradient.ActorCriticLoss:
        """The loss of a batch of sequences [B, T + 1, ...] (no update)."""
        data = sequences_lib.time_major(data)
        logits, values = self._forward(data.observation, data.extras)
        sequences = sequences_lib.prepare_sequences(data, values, self._discount,
                                                self._max_abs_reward)
        returns, advantages = self._targets(sequences, logits, values)
        real = sequences.mask > 0

        def pick(x):
            return tf.boolean_mask(x, real)

        return policy_gradient.actor_critic_loss(
            pick(logits[:-1]), pick(sequences.action), pick(values[:-1]),
            pick(returns), None if advantages is None else pick(advantages),
            baseline_cost=self._baseline_cost, entropy_cost=self._entropy_cost)

    def _sgd_step_fn(self, sample) -> Dict[str, tf.Tensor]:
        variables = self._network.trainable_variables
        with tf.GradientTape() as tape:
            terms = self.loss(sample.data)
        gradients = tape.gradient(terms.loss, variables)
        if self._max_gradient_norm is not None:
            gradients, _ = tf.clip_by_global_norm(gradients, self._max_gradient_norm)
        self._optimizer.apply(gradients, variables)
        return {'loss': terms.loss, 'policy_loss': terms.policy,
                'value_loss': terms.value, 'entropy': -terms.entropy}
