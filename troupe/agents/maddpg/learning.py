"""MADDPGLearner: centralised critics, decentralised policies (Lowe et al., 2017).

Each agent i has a policy μ_i of its own observation o_i and a critic Q_i. Each
update samples a batch of joint transitions (dicts keyed by agent id) and, for
every agent i,

  1. trains Q_i on y_i = r_i + γ · d_i · Q'_i(o', μ'_1(o'_1), …, μ'_N(o'_N)) with
     ½ (y_i − Q_i(o, a_1, …, a_N))²: the target uses every agent's target policy;
  2. trains μ_i by the deterministic policy gradient of Q_i(o, a_1, …, μ_i(o_i),
     …, a_N): agent i's action comes from its policy, the others' from replay;
  3. when `clipping`, clips dQ_i/da_i to norm 1 and each agent's gradients to
     global norm 40.

With `centralised_critics=False` each Q_i sees only (o_i, a_i): independent DDPG
learners through the same code. Unlike `DDPGLearner` (Acme's choice of the next
observation), the policy loss sits at the replayed o, where the other agents'
replayed actions were taken. Construction and target updates (periodic copies
or Polyak τ) are `actor_critic.ActorCriticLearner`'s, run on the joint
containers of `maddpg.networks`; the update loop, counting, logging,
checkpoints and variable serving `components.learning.LearnerBase`'s.
"""

from typing import Dict, Iterator, Mapping, Optional, Tuple, Union

import sonnet as snt
import tensorflow as tf

from troupe import errors, types
from troupe.agents.actor_critic import learning
from troupe.agents.maddpg import networks as maddpg_networks
from troupe.components import losses
from troupe.components.losses import continuous


class MADDPGLearner(learning.ActorCriticLearner):
    """The MADDPG learner (see the module docstring).

    Serves 'policy' (every agent's policy) and 'critic' (every agent's critic)
    through `get_variables`, in the order of the containers' variables.
    """

    _default_subdirectory = 'maddpg_learner'
    _role = 'MADDPGLearner'
    _default_learning_rate = 1e-3

    def __init__(self,
                 policy_networks: Mapping[str, snt.Module],
                 critic_networks: Mapping[str, snt.Module],
                 target_policy_networks: Mapping[str, snt.Module],
                 target_critic_networks: Mapping[str, snt.Module],
                 dataset: Optional[Union[tf.data.Dataset, Iterator]] = None,
                 discount: float = 0.95,
                 target_update_period: int = 100,
                 policy_optimizer: Optional[snt.Optimizer] = None,
                 critic_optimizer: Optional[snt.Optimizer] = None,
                 *,
                 centralised_critics: bool = True,
                 **kwargs):
        """Creates the learner.

        Args:
          policy_networks: {agent id: μ_i}, o_i -> a_i within agent i's bounds.
          critic_networks: {agent id: Q_i}, (observations, actions) -> [B, 1],
            called with the dicts of all agents' observations and actions when
            `centralised_critics`, else with agent i's own.
          target_policy_networks: networks of the policies' structure (copies).
          target_critic_networks: networks of the critics' structure (copies).
          dataset: a dataset (or iterator) of batched `reverb.ReplaySample`s of
            joint `types.Transition`s whose fields are dicts keyed by agent id.
          discount: the agent discount γ in [0, 1].
          target_update_period: updates between target copies (>= 1).
          policy_optimizer: one optimizer for all policies (default Adam(1e-3),
            made on the learner's device); Adam's per-variable statistics make it
            the same as one per agent.
          critic_optimizer: one optimizer for all critics (default Adam(1e-3)).
          centralised_critics: MADDPG's critics of all agents' observations and
            actions (True) or independent critics of the agent's own (False).
          **kwargs: `ActorCriticLearner`'s other arguments (counter, logger, checkpoint,
            device, clipping, dataset_iterator, target_update_rate,
            updates_per_call, jit_compile, directory, checkpoint_subdirectory);
            there is no observation network. `clipping` clips dQ_i/da_i to norm
            1 and each agent's gradients to global norm 40.
        """
        if not isinstance(centralised_critics, bool):
            raise errors.InvalidInput(f'centralised_critics must be a bool, got '
                                      f'{centralised_critics!r}.')
        unused = sorted({'observation_network', 'target_observation_network'}
                        & set(kwargs))
        if unused:
            raise TypeError(f'MADDPGLearner has no observation network, got {unused}; '
                            'policies and critics take the observations as they are.')
        ids = _check_networks(policy_networks, critic_networks, target_policy_networks,
                              target_critic_networks)
        _check_data_keys(dataset if dataset is not None
                         else kwargs.get('dataset_iterator'), ids)
        self._agent_ids = ids
        self._centralised = centralised_critics
        super().__init__(
            maddpg_networks.MultiAgentPolicy(policy_networks),
            maddpg_networks.MultiAgentCritic(critic_networks, centralised_critics),
            maddpg_networks.MultiAgentPolicy(target_policy_networks,
                                             name='target_multi_agent_policy'),
            maddpg_networks.MultiAgentCritic(target_critic_networks,
                                             centralised_critics,
                                             name='target_multi_agent_critic'),
            dataset, discount, target_update_period, policy_optimizer,
            critic_optimizer, **kwargs)

    @property
    def agent_ids(self) -> Tuple[str, ...]:
        return self._agent_ids

    @property
    def centralised_critics(self) -> bool:
        return self._centralised

    def _create_variables(self, observation_spec, action_spec) -> None:
        """Builds the variables, explaining a critic built for the other inputs."""
        try:
            super()._create_variables(observation_spec, action_spec)
        except (ValueError, tf.errors.InvalidArgumentError) as error:
            inputs = ("all agents' observations and actions" if self._centralised
                      else "its own agent's observation and action")
            raise errors.InvalidInput(
                f'With centralised_critics={self._centralised} each critic is called '
                f'on {inputs}, but calling them failed: {error} Give critics built '
                f'for that input, or unbuilt ones (e.g. from '
                f'maddpg.make_networks), which the learner builds.') from error

    # The update.

    def _critic_gradients(self, transitions: types.Transition):
        """Each agent's critic loss and its (clipped) gradients:
        ({id: loss}, gradients, variables), gradients and variables agent by agent."""
        critic, target_critic = self._critic_network, self._target_critic_network
        o_tm1, a_tm1, o_t = (transitions.observation, transitions.action,
                             transitions.next_observation)
        a_t = self._target_policy_network(o_t)  # Every agent's target action.
        agent_losses, gradients, variables = {}, [], []
        for i in self._agent_ids:
            agent_variables = critic.critics[i].trainable_variables
            dtype = agent_variables[0].dtype
            r_t = tf.cast(transitions.reward[i], dtype)
            d_t = tf.cast(transitions.discount[i], dtype)
            q_t = target_critic.value(i, o_t, a_t)
            # With one critic the clipped double-Q target is DDPG's target.
            y = continuous.clipped_double_q_target(r_t, d_t, q_t, q_t, self._discount)
            with tf.GradientTape() as tape:
                q_tm1 = critic.value(i, o_tm1, a_tm1)
                agent_losses[i] = tf.reduce_mean(0.5 * tf.square(y - q_tm1))
            gradients += self._clip(tape.gradient(agent_losses[i], agent_variables))
            variables += agent_variables
        return agent_losses, gradients, variables

    def _policy_gradients(self, transitions: types.Transition):
        """Each agent's DPG loss at the replayed o, the other agents' actions
        taken from replay: ({id: loss}, gradients, variables)."""
        o_tm1, a_tm1 = transitions.observation, transitions.action
        clip = learning.DQDA_CLIPPING if self._clipping else None
        agent_losses, gradients, variables = {}, [], []
        for i in self._agent_ids:
            policy = self._policy_network.policies[i]
            agent_variables = policy.trainable_variables
            with tf.GradientTape() as tape:
                action = policy(o_tm1[i])
                joint_action = dict(a_tm1)
                with tf.GradientTape() as action_tape:
                    action_tape.watch(action)
                    joint_action[i] = action
                    q_values = self._critic_network.value(i, o_tm1, joint_action)
                dqda = action_tape.gradient(q_values, action)
                agent_losses[i] = tf.reduce_mean(losses.dpg(
                    dqda, action, dqda_clipping=clip, clip_norm=self._clipping))
            gradients += self._clip(tape.gradient(agent_losses[i], agent_variables))
            variables += agent_variables
        return agent_losses, gradients, variables

    def _train(self, transitions: types.Transition) -> Dict[str, tf.Tensor]:
        """One MADDPG update of every agent on a batch of joint transitions."""
        self._copy_targets_if_due()
        critic_losses, critic_gradients, critic_variables = self._critic_gradients(
            transitions)
        # Both gradients are taken before either network changes, as in DDPG.
        policy_losses, policy_gradients, policy_variables = self._policy_gradients(
            transitions)
        self._critic_optimizer.apply(critic_gradients, critic_variables)
        self._policy_optimizer.apply(policy_gradients, policy_variables)
        self._average_targets()
        fetches = {'critic_loss': tf.add_n(list(critic_losses.values())) / len(
                       critic_losses),
                   'policy_loss': tf.add_n(list(policy_losses.values())) / len(
                       policy_losses)}
        for i in self._agent_ids:
            fetches[f'critic_loss_{i}'] = critic_losses[i]
            fetches[f'policy_loss_{i}'] = policy_losses[i]
        return fetches


def _check_networks(*networks: Mapping[str, snt.Module]) -> Tuple[str, ...]:
    """The agent ids, once the four network dicts are checked to share them."""
    names = ('policy_networks', 'critic_networks', 'target_policy_networks',
             'target_critic_networks')
    if not isinstance(networks[0], Mapping) or not networks[0]:
        raise errors.InvalidInput(f'policy_networks must be a non-empty dict keyed by '
                                  f'agent id, got {networks[0]!r}.')
    ids = tuple(networks[0])
    for name, value in zip(names[1:], networks[1:]):
        maddpg_networks.check_agent_keys(name, value, ids)
    return ids


def _check_data_keys(data, ids: Tuple[str, ...]) -> None:
    """Raises unless the dataset's observations are a dict keyed by `ids`."""
    element_spec = getattr(data, 'element_spec', None)
    if element_spec is None:
        return  # Not a tf.data dataset or iterator; calling the networks will tell.
    observation = element_spec.data.observation
    if not isinstance(observation, Mapping) or set(observation) != set(ids):
        keys = sorted(observation) if isinstance(observation, Mapping) else observation
        raise errors.InvalidInput(f'The dataset must hold observations keyed by the '
                                  f'agent ids {sorted(ids)} of the networks, got '
                                  f'{keys!r}.')

