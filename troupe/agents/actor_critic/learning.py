"""The learner core of the deterministic actor-critics (DDPG, D4PG, TD3, MADDPG).

`ActorCriticLearner` does everything but the losses. Each update samples a
batch of n-step transitions and

  1. every `target_update_period` updates copies the online observation,
     critic and policy networks into their targets (before the update, as Acme
     does), or, with `target_update_rate` τ, Polyak-averages them after every
     update;
  2. trains the observation network and critic(s) on the agent's critic loss
     (`_critic_loss`, the hook DDPG, D4PG and TD3 implement);
  3. trains the policy with the DPG loss (`losses.dpg`) of the critic's value
     (`_policy_value`) at μ(s') (Acme's choice of the next observation), with
     dQ/da clipped to norm 1 when `clipping`;
  4. when `clipping`, clips each gradient to global norm 40; both gradients are
     taken before either optimizer applies its update.

TD3 and MADDPG change the update order or the gradients by overriding `_train`.
The device, the iterator, the compiled update (`updates_per_call` updates per
`step()`), counting, logging, checkpoints and `get_variables` are
`components.learning.LearnerBase`'s.
"""

import copy
from typing import Dict, Iterator, List, Optional, Tuple, Union

import sonnet as snt
import tensorflow as tf
import tree

from troupe import errors, types
from troupe.agents import checks
from troupe.agents.actor_critic.networks import to_sonnet_module
from troupe.components import counting, learning, loggers, losses
from troupe.components import utils as tf2_utils

GRADIENT_CLIP_NORM = 40.0
DQDA_CLIPPING = 1.0


def default_optimizers(device: str,
                       policy_optimizer: Optional[snt.Optimizer] = None,
                       critic_optimizer: Optional[snt.Optimizer] = None,
                       policy_learning_rate: float = 1e-4,
                       critic_learning_rate: float = 1e-4
                       ) -> Tuple[snt.Optimizer, snt.Optimizer]:
    """The given (policy, critic) optimizers, each missing one an Adam at its
    learning rate made on `device`: Adam's step counter lives where the update
    reads it."""
    with tf.device(device):
        return (policy_optimizer or snt.optimizers.Adam(policy_learning_rate),
                critic_optimizer or snt.optimizers.Adam(critic_learning_rate))


def _unbatched(spec):
    return tree.map_structure(lambda s: tf.TensorSpec(s.shape[1:], s.dtype), spec)


class ActorCriticLearner(learning.LearnerBase):
    """The shared learner (see the module docstring); subclasses implement
    `_critic_loss` and `_policy_value`.

    Serves 'policy' (observation network then policy, online) and 'critic'
    (observation network then critic(s), online) through `get_variables`.
    """

    _default_subdirectory = 'actor_critic_learner'
    _role = 'ActorCriticLearner'
    _default_learning_rate = 1e-4  # Of the default Adam optimizers (Acme).

    def __init__(self,
                 policy_network: snt.Module,
                 critic_network: snt.Module,
                 target_policy_network: snt.Module,
                 target_critic_network: snt.Module,
                 dataset: Optional[Union[tf.data.Dataset, Iterator]] = None,
                 discount: float = 0.99,
                 target_update_period: int = 100,
                 policy_optimizer: Optional[snt.Optimizer] = None,
                 critic_optimizer: Optional[snt.Optimizer] = None,
                 observation_network: Optional[types.TensorTransformation] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 clipping: bool = True,
                 *,
                 dataset_iterator: Optional[Iterator] = None,
                 target_observation_network: Optional[types.TensorTransformation] = None,
                 target_update_rate: Optional[float] = None,
                 updates_per_call: int = 1,
                 jit_compile: bool = True,
                 directory: str = '~/troupe',
                 checkpoint_subdirectory: Optional[str] = None):
        """Creates the learner.

        Args:
          policy_network: the online policy μ, embedded observations -> actions.
          critic_network: the online critic Q, (embedded observations, actions) ->
            values.
          target_policy_network: a network of the policy's structure (e.g. a copy).
          target_critic_network: a network of the critic's structure.
          dataset: a dataset (or iterator) of batched `reverb.ReplaySample`s of
            `types.Transition`s, e.g. from `replay.make_reverb_dataset`.
          discount: the agent discount γ in [0, 1]; the bootstrap term is
            γ · transition.discount · Q', the adder's discount holding γ^(n-1)
            times the environment discounts.
          target_update_period: updates between target copies (>= 1).
          policy_optimizer: defaults to Adam(1e-4) (Acme).
          critic_optimizer: defaults to Adam(1e-4) (Acme).
          observation_network: an optional (trainable) embedding shared by policy
            and critic, trained by the critic loss; None is the identity.
          counter: counts 'steps' (updates) and 'walltime'.
          logger: receives the losses and counts (default: terminal, 1/s).
          checkpoint: whether to checkpoint networks, optimizers and counts.
          device: where variables live and updates run (see `devices`).
          clipping: clip dQ/da to norm 1 and gradients to global norm 40 (Acme).
          dataset_iterator: Acme's other name for `dataset`; give one of the two.
          target_observation_network: the observation network's target (default:
            a deep copy of `observation_network`).
          target_update_rate: if set, Polyak rate τ in (0, 1] applied after every
            update instead of the periodic copy.
          updates_per_call: SGD updates per `step()` (>= 1).
          jit_compile: XLA-compile the update arithmetic.
          directory: checkpoint root.
          checkpoint_subdirectory: names this learner's checkpoints.
        """
        if (dataset is None) == (dataset_iterator is None):
            raise errors.InvalidInput(
                'Give exactly one of dataset and dataset_iterator, got '
                f'dataset={dataset!r}, dataset_iterator={dataset_iterator!r}.')
        # The builder passes a validated config; these checks are for direct
        # (Acme-style) construction.
        checks.check_unit_interval('discount', discount)
        checks.check_positive_int('target_update_period', target_update_period)
        if target_update_rate is not None:
            checks.check_rate('target_update_rate', target_update_rate)
        if not isinstance(clipping, bool):
            raise errors.InvalidInput(f'clipping must be a bool, got {clipping!r}.')
        super().__init__(dataset if dataset is not None else dataset_iterator,
                         label=self._role, device=device,
                         updates_per_call=updates_per_call, jit_compile=jit_compile,
                         counter=counter, logger=logger, checkpoint=checkpoint,
                         directory=directory,
                         checkpoint_subdirectory=(checkpoint_subdirectory
                                                  or self._default_subdirectory))
        self._discount = float(discount)
        self._target_update_period = int(target_update_period)
        self._target_update_rate = (None if target_update_rate is None
                                    else float(target_update_rate))
        self._clipping = clipping

        self._policy_network = policy_network
        self._critic_network = critic_network
        self._target_policy_network = target_policy_network
        self._target_critic_network = target_critic_network
        self._observation_network = to_sonnet_module(observation_network)
        if target_observation_network is None:
            target_observation_network = copy.deepcopy(self._observation_network)
        self._target_observation_network = to_sonnet_module(target_observation_network)

        data_spec = self.element_spec.data
        self._policy_optimizer, self._critic_optimizer = default_optimizers(
            self.device, policy_optimizer, critic_optimizer,
            self._default_learning_rate, self._default_learning_rate)
        with tf.device(self.device):
            self._create_variables(_unbatched(data_spec.observation),
                                   _unbatched(data_spec.action))
        learning.assign_target(self._online_variables(), self._target_variables())

        policy_group = (list(self._observation_network.variables)
                        + list(self._policy_network.variables))
        critic_group = (list(self._observation_network.variables)
                        + [v for critic in self._critics() for v in critic.variables])
        self._finish({'policy': policy_group, 'critic': critic_group},
                     self._checkpointed())

    # Construction hooks (TD3 adds a twin critic).

    def _create_variables(self, observation_spec, action_spec) -> None:
        """Builds every network's variables on the learner's device."""
        embedding_spec = tf2_utils.create_variables(self._observation_network,
                                                    [observation_spec])
        tf2_utils.create_variables(self._target_observation_network, [observation_spec])
        for network in (self._policy_network, self._target_policy_network):
            tf2_utils.create_variables(network, [embedding_spec])
        for network in self._critics() + self._target_critics():
            tf2_utils.create_variables(network, [embedding_spec, action_spec])

    def _checkpointed(self) -> Dict[str, object]:
        """What `state` holds besides `num_steps` and the counter."""
        return {
            'policy': self._policy_network,
            'critic': self._critic_network,
            'target_policy': self._target_policy_network,
            'target_critic': self._target_critic_network,
            'observation': self._observation_network,
            'target_observation': self._target_observation_network,
            'policy_optimizer': self._policy_optimizer,
            'critic_optimizer': self._critic_optimizer,
        }

    def _critics(self) -> List[snt.Module]:
        return [self._critic_network]

    def _target_critics(self) -> List[snt.Module]:
        return [self._target_critic_network]

    def _online_variables(self) -> List[tf.Variable]:
        return (list(self._observation_network.variables)
                + [v for critic in self._critics() for v in critic.variables]
                + list(self._policy_network.variables))

    def _target_variables(self) -> List[tf.Variable]:
        return (list(self._target_observation_network.variables)
                + [v for critic in self._target_critics() for v in critic.variables]
                + list(self._target_policy_network.variables))

    def _critic_trainable_variables(self) -> List[tf.Variable]:
        """The critic loss trains the observation network and the critic(s)."""
        return (list(self._observation_network.trainable_variables)
                + [v for critic in self._critics() for v in critic.trainable_variables])

    # Loss hooks.

    def _critic_loss(self, o_tm1, a_tm1, r_t, d_t, o_t) -> tf.Tensor:
        """The scalar critic loss of a batch: embedded observations o_tm1 and
        (stop-gradient, target-embedded) o_t, actions, rewards and discounts."""
        raise NotImplementedError

    def _policy_value(self, observation, action) -> tf.Tensor:
        """The value the policy ascends at (observation, action), shape [B]."""
        raise NotImplementedError

    # The update.

    def _clip(self, gradients):
        if not self._clipping:
            return gradients
        return tf.clip_by_global_norm(gradients, GRADIENT_CLIP_NORM)[0]

    def _critic_gradients(self, transitions):
        """The critic loss and its (clipped) gradients for the observation network
        and critic(s): (loss, gradients, variables)."""
        variables = self._critic_trainable_variables()
        dtype = variables[0].dtype if variables else tf.float32
        r_t = tf.cast(transitions.reward, dtype)
        d_t = tf.cast(transitions.discount, dtype)
        with tf.GradientTape() as tape:
            o_tm1 = self._observation_network(transitions.observation)
            o_t = tree.map_structure(
                tf.stop_gradient,
                self._target_observation_network(transitions.next_observation))
            loss = self._critic_loss(o_tm1, transitions.action, r_t, d_t, o_t)
        return loss, self._clip(tape.gradient(loss, variables)), variables

    def _policy_gradients(self, observation):
        """The DPG loss at the (embedded, stop-gradient) observations and its
        (clipped) gradients for the policy: (loss, gradients, variables)."""
        variables = self._policy_network.trainable_variables
        with tf.GradientTape() as tape:
            action = self._policy_network(observation)
            with tf.GradientTape() as action_tape:
                action_tape.watch(action)
                q_values = self._policy_value(observation, action)
            dqda = action_tape.gradient(q_values, action)
            clip = DQDA_CLIPPING if self._clipping else None
            loss = tf.reduce_mean(losses.dpg(dqda, action, dqda_clipping=clip,
                                             clip_norm=self._clipping))
        return loss, self._clip(tape.gradient(loss, variables)), variables

    def _copy_targets_if_due(self) -> None:
        """Periodic copy at updates 0, P, 2P, ... (before the update, as in Acme).

        `num_steps` counts the updates before this one (the base adds 1 after it).
        """
        if self._target_update_rate is not None:
            return
        learning.periodic_target_update(self._num_steps, self._target_update_period,
                                        self._online_variables(), self._target_variables())

    def _average_targets(self) -> None:
        """Polyak averaging at rate τ (only when `target_update_rate` is set)."""
        if self._target_update_rate is not None:
            learning.assign_target(self._online_variables(), self._target_variables(),
                                   self._target_update_rate)

    # No AutoGraph: the update has no data-dependent Python control flow (target
    # copies use tf.cond), and converting it cost seconds per agent. Calls made
    # from here (the `_train` overrides) are not converted either.
    @tf.autograph.experimental.do_not_convert
    def _sgd_step_fn(self, sample) -> Dict[str, tf.Tensor]:
        """One update on a `reverb.ReplaySample` of transitions."""
        return self._train(sample.data)

    def _train(self, transitions: types.Transition) -> Dict[str, tf.Tensor]:
        """One update on a batch of transitions; returns the losses to log."""
        self._copy_targets_if_due()
        critic_loss, critic_gradients, critic_variables = self._critic_gradients(
            transitions)
        # The policy loss sits at s' as in Acme; no gradient reaches the
        # observation network through it. Both gradients are taken before
        # either network changes, as in Acme.
        o_t = tree.map_structure(
            tf.stop_gradient, self._observation_network(transitions.next_observation))
        policy_loss, policy_gradients, policy_variables = self._policy_gradients(o_t)
        self._critic_optimizer.apply(critic_gradients, critic_variables)
        self._policy_optimizer.apply(policy_gradients, policy_variables)
        self._average_targets()
        return {'critic_loss': critic_loss, 'policy_loss': policy_loss}
