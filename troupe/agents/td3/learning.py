"""TD3Learner: twin critics, target policy smoothing, delayed policy updates.

Fujimoto et al., 2018, "Addressing Function Approximation Error in Actor-Critic
Methods". Each update

  1. smooths the target action a' = clip(μ'(s') + clip(ε, −c, c), low, high),
     ε ~ N(0, σ'²) (`losses.continuous.td3_target_actions`, σ' and c relative to
     the half-range of the bounds, seeded by (seed, update number));
  2. trains both critics towards the clipped double-Q target
     y = r + γ · d · min(Q1'(s', a'), Q2'(s', a')) with ½ (y − Qi(s, a))²;
  3. every `policy_update_period` updates (the 2nd, 4th, ... for period 2) takes
     a DPG step on Q1 at s and Polyak-averages all targets at rate τ.

With `target_update_rate=None` targets are instead copied every
`target_update_period` updates. Construction and target copies are
`actor_critic.ActorCriticLearner`'s, bookkeeping and the update loop
`components.learning.LearnerBase`'s.
"""

from typing import Dict, Iterator, List, Optional, Union

import numpy as np
import sonnet as snt
import tensorflow as tf
import tree

from troupe import types
from troupe.agents import checks
from troupe.agents.actor_critic import learning
from troupe.agents.actor_critic import networks as ac_networks
from troupe.components import counting, loggers
from troupe.components.losses import continuous


class TD3Learner(learning.ActorCriticLearner):
    """The TD3 learner; serves 'policy' and 'critic' (both critics) variables."""

    _default_subdirectory = 'td3_learner'
    _role = 'TD3Learner'
    _default_learning_rate = 3e-4  # Of the default Adam optimizers.

    def __init__(self,
                 policy_network: snt.Module,
                 critic_network: snt.Module,
                 twin_critic_network: snt.Module,
                 target_policy_network: snt.Module,
                 target_critic_network: snt.Module,
                 target_twin_critic_network: snt.Module,
                 dataset: Union[tf.data.Dataset, Iterator],
                 action_spec,
                 discount: float = 0.99,
                 policy_update_period: int = 2,
                 policy_optimizer: Optional[snt.Optimizer] = None,
                 critic_optimizer: Optional[snt.Optimizer] = None,
                 observation_network: Optional[types.TensorTransformation] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 clipping: bool = False,
                 *,
                 target_sigma: float = 0.2,
                 noise_clip: float = 0.5,
                 target_update_rate: Optional[float] = 0.005,
                 target_update_period: int = 1,
                 seed: Optional[int] = 0,
                 target_observation_network: Optional[types.TensorTransformation] = None,
                 updates_per_call: int = 1,
                 jit_compile: bool = True,
                 directory: str = '~/troupe',
                 checkpoint_subdirectory: Optional[str] = None):
        """Creates the learner.

        Args:
          policy_network: the online policy μ.
          critic_network: the first online critic Q1 (the policy follows it).
          twin_critic_network: the second online critic Q2, initialised
            independently of Q1.
          target_policy_network: μ's target (same structure).
          target_critic_network: Q1's target.
          target_twin_critic_network: Q2's target.
          dataset: a dataset (or iterator) of batched `reverb.ReplaySample`s of
            `types.Transition`s.
          action_spec: the BoundedArray action spec (finite bounds), for the
            target smoothing.
          discount: the agent discount γ in [0, 1].
          policy_update_period: critic updates per policy and target update (d).
          policy_optimizer: defaults to Adam(3e-4).
          critic_optimizer: defaults to Adam(3e-4); trains both critics.
          observation_network: optional embedding trained by the critic loss.
          counter: counts 'steps' (updates) and 'walltime'.
          logger: receives the losses and counts.
          checkpoint: whether to checkpoint.
          device: where variables live and updates run.
          clipping: clip dQ/da to norm 1 and gradients to global norm 40.
          target_sigma: σ' >= 0 of the target smoothing noise.
          noise_clip: c >= 0, the smoothing noise's clip.
          target_update_rate: Polyak τ in (0, 1] at every policy update; None
            copies the targets every `target_update_period` updates instead.
          target_update_period: used only when `target_update_rate` is None.
          seed: seeds the smoothing noise (with the update number); None draws
            one from TensorFlow's global seed.
          target_observation_network: the embedding's target (default: a copy).
          updates_per_call: SGD updates per `step()`.
          jit_compile: XLA-compile the update arithmetic.
          directory: checkpoint root.
          checkpoint_subdirectory: names this learner's checkpoints.
        """
        # The builder passes a validated config; these checks are for direct
        # construction.
        checks.check_positive_int('policy_update_period', policy_update_period)
        checks.check_non_negative('target_sigma', target_sigma)
        checks.check_non_negative('noise_clip', noise_clip)
        if seed is None:
            seed = int(tf.random.uniform([], maxval=2**31 - 1, dtype=tf.int64))
        checks.check_non_negative_int('seed', seed)
        action_spec = ac_networks.check_continuous_actions(action_spec, 'TD3')
        minimum = np.broadcast_to(action_spec.minimum, action_spec.shape)
        maximum = np.broadcast_to(action_spec.maximum, action_spec.shape)
        self._action_middle = ((maximum + minimum) / 2.0).astype(np.float32)
        self._action_half_range = ((maximum - minimum) / 2.0).astype(np.float32)
        self._policy_update_period = int(policy_update_period)
        self._target_sigma = float(target_sigma)
        self._noise_clip = float(noise_clip)
        self._seed = int(seed)
        self._twin_critic_network = twin_critic_network
        self._target_twin_critic_network = target_twin_critic_network
        super().__init__(
            policy_network, critic_network, target_policy_network,
            target_critic_network, dataset, discount, target_update_period,
            policy_optimizer, critic_optimizer,
            observation_network, counter, logger, checkpoint, device, clipping,
            target_observation_network=target_observation_network,
            target_update_rate=target_update_rate, updates_per_call=updates_per_call,
            jit_compile=jit_compile, directory=directory,
            checkpoint_subdirectory=checkpoint_subdirectory)

    def _create_variables(self, observation_spec, action_spec) -> None:
        super()._create_variables(observation_spec, action_spec)
        self._last_policy_loss = tf.Variable(0.0, dtype=tf.float32, trainable=False,
                                             name='last_policy_loss')

    def _checkpointed(self) -> Dict[str, object]:
        return dict(super()._checkpointed(), twin_critic=self._twin_critic_network,
                    target_twin_critic=self._target_twin_critic_network,
                    last_policy_loss=self._last_policy_loss)

    def _critics(self) -> List[snt.Module]:
        return [self._critic_network, self._twin_critic_network]

    def _target_critics(self) -> List[snt.Module]:
        return [self._target_critic_network, self._target_twin_critic_network]

    def smoothed_target_actions(self, next_observation: tf.Tensor,
                                step: tf.Tensor) -> tf.Tensor:
        """μ'(s') plus clipped noise seeded by (seed, step), within the bounds.

        `next_observation` is already embedded by the target observation network.
        """
        actions = self._target_policy_network(next_observation)
        dtype = actions.dtype
        middle = tf.cast(self._action_middle, dtype)
        half_range = tf.cast(self._action_half_range, dtype)
        seed = tf.stack([tf.constant(self._seed, tf.int64), tf.cast(step, tf.int64)])
        unit = continuous.td3_target_actions(
            (actions - middle) / half_range, self._target_sigma, self._noise_clip,
            -1.0, 1.0, seed)
        return middle + half_range * unit

    def _policy_value(self, observation, action) -> tf.Tensor:
        """Q1(s, a) of the online first critic, shape [B]."""
        return tf.squeeze(self._critic_network(observation, action), axis=-1)

    def _critic_loss(self, o_tm1, a_tm1, r_t, d_t, o_t) -> tf.Tensor:
        """Σ_i mean ½ (y − Qi(s, a))², y the clipped double-Q target."""
        a_t = self.smoothed_target_actions(o_t, self._num_steps)
        q1_t = tf.squeeze(self._target_critic_network(o_t, a_t), axis=-1)
        q2_t = tf.squeeze(self._target_twin_critic_network(o_t, a_t), axis=-1)
        target = continuous.clipped_double_q_target(r_t, d_t, q1_t, q2_t,
                                                    self._discount)
        loss = 0.0
        for critic in self._critics():
            q_tm1 = tf.squeeze(critic(o_tm1, a_tm1), axis=-1)
            loss += tf.reduce_mean(0.5 * tf.square(target - q_tm1))
        return loss

    def _train(self, transitions: types.Transition) -> Dict[str, tf.Tensor]:
        """Critic update every call; policy and targets every d-th call."""
        self._copy_targets_if_due()
        critic_loss, gradients, variables = self._critic_gradients(transitions)
        self._critic_optimizer.apply(gradients, variables)

        def policy_and_targets():
            # The policy follows the critic just updated, as in Fujimoto et al.
            o_tm1 = tree.map_structure(
                tf.stop_gradient, self._observation_network(transitions.observation))
            loss, gradients, variables = self._policy_gradients(o_tm1)
            self._policy_optimizer.apply(gradients, variables)
            self._average_targets()
            self._last_policy_loss.assign(tf.cast(loss, tf.float32))
            return tf.constant(True)

        if self._policy_update_period == 1:
            policy_and_targets()
        else:
            # num_steps counts the updates before this one: due at the d-th.
            due = (self._num_steps + 1) % self._policy_update_period == 0
            tf.cond(due, policy_and_targets, lambda: tf.constant(False))
        return {'critic_loss': critic_loss,
                'policy_loss': self._last_policy_loss.read_value()}
