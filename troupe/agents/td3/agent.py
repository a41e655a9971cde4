"""TD3: the single-process agent, a thin wrapper of
`LocalAgent(TD3Builder(TD3Config(...)), ...)`.

The family's assembly (uniform replay, n-step adder, exploring
FeedForwardActor, Acme's schedule) with two critics and a `TD3Learner`; by
default one update of 256 one-step transitions per environment step.
"""

import copy
from typing import Optional

import sonnet as snt
import tensorflow as tf

from troupe import errors, specs, types
from troupe.agents.actor_critic import agent as ac_agent
from troupe.agents.actor_critic import networks as ac_networks
from troupe.agents.td3 import builder as builder_lib
from troupe.agents.td3 import config as config_lib
from troupe.components import counting, loggers

# The positional order of the hyperparameters after the networks.
POSITIONAL = ('discount', 'batch_size', 'prefetch_size', 'min_replay_size',
              'max_replay_size', 'samples_per_insert', 'n_step', 'sigma',
              'policy_update_period', 'target_sigma', 'noise_clip',
              'target_update_rate', 'clipping')


def _has_variables(module) -> bool:
    try:
        return bool(module.variables)
    except ValueError:  # Sonnet: a module that has not created its variables yet.
        return False


class TD3(ac_agent.ActorCriticAgent):
    """Twin Delayed DDPG (Fujimoto et al., 2018).

    `TD3(environment_spec, policy_network, critic_network,
    twin_critic_network=None, observation_network=tf.identity, discount=0.99,
    ..., logger=None, counter=None, checkpoint=True, device=None,
    num_envs=None, policy_optimizer=None, critic_optimizer=None,
    **hyperparameters)`: the hyperparameters are the fields of `TD3Config`
    (the first thirteen may be given positionally, in `POSITIONAL`'s order),
    or a whole `config=`; the other arguments are
    `actor_critic.ActorCriticAgent`'s.
    """

    builder_class = builder_lib.TD3Builder
    positional = POSITIONAL

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 policy_network: snt.Module,
                 critic_network: snt.Module,
                 twin_critic_network: Optional[snt.Module] = None,
                 observation_network: types.TensorTransformation = tf.identity,
                 *args,
                 config: Optional[config_lib.TD3Config] = None,
                 logger: Optional[loggers.Logger] = None,
                 counter: Optional[counting.Counter] = None,
                 checkpoint: bool = True,
                 checkpoint_subpath: str = '~/troupe/',
                 device: Optional[str] = None,
                 num_envs: Optional[int] = None,
                 policy_optimizer: Optional[snt.Optimizer] = None,
                 critic_optimizer: Optional[snt.Optimizer] = None,
                 **hyperparameters):
        """Builds the agent.

        Args:
          environment_spec: the environment's specs; actions must be a float
            BoundedArray with finite bounds.
          policy_network: μ, embedded observations -> actions within the bounds.
          critic_network: Q1, (embedded observations, actions) -> [B, 1].
          twin_critic_network: Q2; default a deep copy of `critic_network` made
            before any variables exist (so initialised independently).
          observation_network: embedding trained by the critic loss.
          *args: hyperparameters in `POSITIONAL`'s order.
          config: all hyperparameters at once (keywords replace its fields).
          logger: the learner's logger.
          counter: the learner's counter.
          checkpoint: whether the learner's state is checkpointed.
          checkpoint_subpath: the checkpoint root directory.
          device: the learner's device (default: first GPU, else CPU).
          num_envs: None acts in one environment; N acts on a
            `BatchedEnvironment` of N copies.
          policy_optimizer: default Adam(policy_learning_rate).
          critic_optimizer: default Adam(critic_learning_rate), for both critics.
          **hyperparameters: fields of `TD3Config`.
        """
        if twin_critic_network is None:
            if _has_variables(critic_network):
                raise errors.InvalidInput(
                    'critic_network already has variables, so a copy would start '
                    'identical to it; pass an independently initialised '
                    'twin_critic_network.')
            twin_critic_network = copy.deepcopy(critic_network)
        if twin_critic_network is critic_network:
            raise errors.InvalidInput('twin_critic_network must be a different module '
                                      'from critic_network.')
        networks = ac_networks.ActorCriticNetworks(
            policy_network, (critic_network, twin_critic_network),
            ac_networks.to_sonnet_module(observation_network))
        self._start(environment_spec, networks, args, config, hyperparameters,
                    logger=logger, counter=counter, checkpoint=checkpoint,
                    checkpoint_subpath=checkpoint_subpath, device=device,
                    num_envs=num_envs, policy_optimizer=policy_optimizer,
                    critic_optimizer=critic_optimizer)
