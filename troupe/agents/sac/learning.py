"""SACLearner: soft actor-critic with twin critics and an automatic temperature.

Each update samples a batch of n-step transitions (s, a, r, d, s') and, with
α = exp(log α) and fresh reparameterised samples a' ~ π(·|s'), ã ~ π(·|s):

  y            = r + γ · d · (min(Q1'(s', a'), Q2'(s', a')) − α log π(a'|s'))
  critic loss  = ½ mean((Q1(s, a) − y)²) + ½ mean((Q2(s, a) − y)²)
  policy loss  = mean(α log π(ã|s) − min(Q1(s, ã), Q2(s, ã)))
  α loss       = −mean(log α · (log π(ã|s) + H̄))

All three gradients are taken at the same parameters, each loss moving only its
own variables; then the target critics move by τ towards the online critics:
Q' ← (1 − τ) Q' + τ Q. γ is the agent discount; the adder's discount d already
holds γ^(n−1) times the environment discounts of an n-step transition.

The update is one `tf.function` (`jit_compile=True` XLA-compiles it; on a 2-core
CPU that measured no faster, 13 ms per update either way, so it is off by
default); the rest (the device, `updates_per_call` updates per `step()` in one
compiled call, counting, logging, `get_variables`) is
`components.learning.LearnerBase`.
"""

import copy
from typing import Iterator, List, Optional, Sequence, Union

import numpy as np
import sonnet as snt
import tensorflow as tf
import tree

from troupe.components import counting, learning, loggers
from troupe.components import utils as tf2_utils
from troupe.components.losses import continuous
from troupe.agents.sac import networks as sac_networks


def _unbatched(spec):
    return tree.map_structure(lambda s: tf.TensorSpec(s.shape[1:], s.dtype), spec)


def _as_vector(q_values: tf.Tensor, name: str) -> tf.Tensor:
    """Critic output [B] or [B, 1] -> [B]."""
    if q_values.shape.rank == 2 and q_values.shape[-1] == 1:
        return tf.squeeze(q_values, axis=-1)
    if q_values.shape.rank != 1:
        raise ValueError(f'{name} must return Q-values of shape [B] or [B, 1], got '
                         f'shape {q_values.shape}.')
    return q_values


class SACLearner(learning.LearnerBase):
    """The SAC learner (see the module docstring).

    Serves variables as 'policy' (the policy network's) and 'critics'.
    """

    def __init__(self,
                 policy_network: snt.Module,
                 critic_networks: Sequence[snt.Module],
                 dataset: Union[tf.data.Dataset, Iterator],
                 target_critic_networks: Optional[Sequence[snt.Module]] = None,
                 discount: float = 0.99,
                 target_update_rate: float = 0.005,
                 policy_optimizer: Optional[snt.Optimizer] = None,
                 critic_optimizer: Optional[snt.Optimizer] = None,
                 temperature_optimizer: Optional[snt.Optimizer] = None,
                 learning_rate: float = 3e-4,
                 target_entropy: Optional[float] = None,
                 init_temperature: float = 1.0,
                 entropy_coefficient: Optional[float] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 *,
                 action_spec=None,
                 updates_per_call: int = 1,
                 jit_compile: bool = False,
                 seed: Optional[int] = None,
                 directory: str = '~/troupe',
                 checkpoint_subdirectory: str = 'sac_learner'):
        """Creates the learner.

        The ranges given below are not checked here: `SACConfig` validates
        them once, and `SACBuilder` builds learners from a config.

        Args:
          policy_network: [B, ...] observations -> a distribution over actions
            whose `experimental_sample_and_log_prob` is reparameterised (e.g.
            `sac.make_policy_network`).
          critic_networks: two critics, (observations, actions) -> [B] (or [B, 1]).
          dataset: a dataset (or iterator) of batched `reverb.ReplaySample`s of
            `types.Transition`s, e.g. from `replay.make_reverb_dataset`.
          target_critic_networks: two critics of the same structure; None: deep
            copies of `critic_networks` (made before their variables exist).
          discount: the agent discount γ in [0, 1].
          target_update_rate: the Polyak rate τ in (0, 1] of the target
            critics.
          policy_optimizer: default Adam(learning_rate).
          critic_optimizer: default Adam(learning_rate).
          temperature_optimizer: default Adam(learning_rate).
          learning_rate: Adam's learning rate (> 0) for the default optimizers.
          target_entropy: H̄; None: `canonical_target_entropy(action_spec)`, i.e.
            −|A| for actions in [-1, 1] (needs `action_spec`, else −|A|).
          init_temperature: α at the start (> 0).
          entropy_coefficient: a fixed α >= 0; None learns α.
          counter: counts 'steps' (updates) and 'walltime'.
          logger: receives the losses, 'alpha', 'entropy' and the counts.
          checkpoint: whether to checkpoint networks, optimizers, α and counter.
          device: where variables live and updates run (see `devices`).
          action_spec: the action spec, for the default target entropy.
          updates_per_call: SGD updates per `step()` (>= 1).
          jit_compile: XLA-compile the update arithmetic.
          seed: seeds the learner's policy samples (None: nondeterministic).
          directory: checkpoint root.
          checkpoint_subdirectory: names this learner's checkpoints.
        """
        critic_networks = list(critic_networks)
        if len(critic_networks) != 2:
            raise ValueError(f'SAC needs exactly 2 critic networks, got '
                             f'{len(critic_networks)}.')
        if target_critic_networks is None:
            target_critic_networks = [copy.deepcopy(c) for c in critic_networks]
        target_critic_networks = list(target_critic_networks)
        if len(target_critic_networks) != 2:
            raise ValueError(f'SAC needs exactly 2 target critic networks, got '
                             f'{len(target_critic_networks)}.')

        super().__init__(dataset, label='SACLearner', device=device,
                         updates_per_call=updates_per_call, jit_compile=jit_compile,
                         counter=counter, logger=logger, checkpoint=checkpoint,
                         directory=directory,
                         checkpoint_subdirectory=checkpoint_subdirectory)
        self._policy = policy_network
        self._critics = critic_networks
        self._target_critics = target_critic_networks
        self._discount = float(discount)
        self._target_update_rate = float(target_update_rate)
        self._learn_temperature = entropy_coefficient is None

        data_spec = self.element_spec.data
        observation_spec = _unbatched(data_spec.observation)
        action_tensor_spec = _unbatched(data_spec.action)
        if target_entropy is None:
            if action_spec is not None:
                target_entropy = sac_networks.canonical_target_entropy(action_spec)
            else:
                target_entropy = -float(np.prod(action_tensor_spec.shape))
        self._target_entropy = float(target_entropy)

        with tf.device(self.device):
            self._policy_optimizer = policy_optimizer or snt.optimizers.Adam(
                learning_rate)
            self._critic_optimizer = critic_optimizer or snt.optimizers.Adam(
                learning_rate)
            self._temperature_optimizer = (temperature_optimizer
                                           or snt.optimizers.Adam(learning_rate))
            initial = (init_temperature if entropy_coefficient is None
                       else max(entropy_coefficient, np.finfo(np.float32).tiny))
            self._log_alpha = tf.Variable(np.log(initial), dtype=tf.float32,
                                          name='log_alpha')
            self._alpha_value = (None if entropy_coefficient is None
                                 else float(entropy_coefficient))
            self._rng = (tf.random.Generator.from_seed(seed) if seed is not None
                         else tf.random.Generator.from_non_deterministic_state())
            tf2_utils.create_variables(policy_network, [observation_spec])
            for critic in critic_networks + target_critic_networks:
                tf2_utils.create_variables(critic, [observation_spec,
                                                    action_tensor_spec])
        for critic, target in zip(critic_networks, target_critic_networks):
            learning.assign_target(critic.variables, target.variables)
        self._critic_variables = [v for c in critic_networks
                                  for v in c.trainable_variables]
        self._online_critic_all = [v for c in critic_networks for v in c.variables]
        self._target_critic_all = [v for c in target_critic_networks
                                   for v in c.variables]
        self._finish(
            {'policy': policy_network.variables, 'critics': self._critic_variables},
            {'policy': policy_network,
             'critic_1': critic_networks[0], 'critic_2': critic_networks[1],
             'target_critic_1': target_critic_networks[0],
             'target_critic_2': target_critic_networks[1],
             'policy_optimizer': self._policy_optimizer,
             'critic_optimizer': self._critic_optimizer,
             'temperature_optimizer': self._temperature_optimizer,
             'log_alpha': self._log_alpha, 'rng': self._rng})

    def _alpha(self) -> tf.Tensor:
        if self._alpha_value is not None:
            return tf.constant(self._alpha_value, tf.float32)
        return tf.exp(self._log_alpha)

    def _q_values(self, critics, observation, action):
        return [_as_vector(critic(observation, action), f'critic {i}')
                for i, critic in enumerate(critics)]

    def _sgd_step_fn(self, sample):
        """One update of critics, policy and temperature on a batch."""
        transitions = sample.data
        o_tm1, a_tm1 = transitions.observation, transitions.action
        o_t = transitions.next_observation
        seeds = tf.cast(self._rng.make_seeds(2), tf.int32)
        alpha = self._alpha()

        next_actions, next_log_prob = self._policy(
            o_t).experimental_sample_and_log_prob(seed=seeds[:, 0])
        q1_t, q2_t = self._q_values(self._target_critics, o_t, next_actions)
        dtype = q1_t.dtype
        target = continuous.sac_critic_target(
            tf.cast(transitions.reward, dtype), tf.cast(transitions.discount, dtype),
            q1_t, q2_t, tf.cast(next_log_prob, dtype), tf.cast(alpha, dtype),
            self._discount)

        policy_variables = self._policy.trainable_variables
        with tf.GradientTape(persistent=True) as tape:
            q1, q2 = self._q_values(self._critics, o_tm1, tf.cast(a_tm1, dtype))
            critic_loss = 0.5 * (tf.reduce_mean(tf.square(q1 - target))
                                 + tf.reduce_mean(tf.square(q2 - target)))
            actions, log_prob = self._policy(
                o_tm1).experimental_sample_and_log_prob(seed=seeds[:, 1])
            q1_pi, q2_pi = self._q_values(self._critics, o_tm1, actions)
            policy_loss = continuous.sac_policy_loss(
                q1_pi, q2_pi, tf.cast(log_prob, dtype), tf.cast(alpha, dtype))
            temperature_loss = continuous.sac_temperature_loss(
                self._log_alpha, tf.cast(log_prob, tf.float32), self._target_entropy)

        critic_gradients = tape.gradient(critic_loss, self._critic_variables)
        policy_gradients = tape.gradient(policy_loss, policy_variables)
        self._critic_optimizer.apply(critic_gradients, self._critic_variables)
        self._policy_optimizer.apply(policy_gradients, policy_variables)
        if self._learn_temperature:
            temperature_gradients = tape.gradient(temperature_loss, [self._log_alpha])
            self._temperature_optimizer.apply(temperature_gradients,
                                              [self._log_alpha])
        del tape
        learning.assign_target(self._online_critic_all, self._target_critic_all,
                               self._target_update_rate)
        return {
            'critic_loss': critic_loss,
            'policy_loss': policy_loss,
            'temperature_loss': temperature_loss,
            'alpha': alpha,
            'entropy': -tf.reduce_mean(log_prob),
            'q_mean': tf.reduce_mean(0.5 * (q1 + q2)),
        }

    @property
    def alpha(self) -> float:
        """The current temperature α."""
        return float(self._alpha().numpy())

    @property
    def log_alpha(self) -> tf.Variable:
        return self._log_alpha

    @property
    def target_entropy(self) -> float:
        return self._target_entropy

    @property
    def policy_network(self) -> snt.Module:
        return self._policy

    @property
    def critic_networks(self) -> List[snt.Module]:
        return list(self._critics)

    @property
    def target_critic_networks(self) -> List[snt.Module]:
        return list(self._target_critics)
