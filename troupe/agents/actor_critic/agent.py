"""The Acme-named single-process agents of the family, as thin `LocalAgent`s.

`ActorCriticAgent(environment_spec, policy_network, critic_network,
observation_network=tf.identity, *hyperparameters, config=None, ...)` is
DDPG's and D4PG's constructor: it turns the arguments into the builder's config
and an `ActorCriticNetworks`, and hands both to `LocalAgent`. TD3 and MADDPG
take other networks and call `_start` themselves.
"""

from typing import ClassVar, Optional, Sequence, Tuple

import sonnet as snt
import tensorflow as tf

from troupe import specs, types
from troupe.agents import local
from troupe.agents.actor_critic import builder as builder_lib
from troupe.agents.actor_critic import config as config_lib
from troupe.agents.actor_critic import networks as ac_networks
from troupe.components import counting, loggers


# Acme's positional order of DDPG's (and D4PG's) hyperparameters after the networks.
POSITIONAL = ('discount', 'batch_size', 'prefetch_size', 'target_update_period',
              'min_replay_size', 'max_replay_size', 'samples_per_insert', 'n_step',
              'sigma', 'clipping')


class ActorCriticAgent(local.LocalAgent):
    """A deterministic actor-critic acting and learning in one process.

    Subclasses set `builder_class`, and `positional` (the hyperparameters that
    may follow the networks positionally) if it is not DDPG's.
    """

    builder_class: ClassVar[type]
    positional: ClassVar[Tuple[str, ...]] = POSITIONAL

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 policy_network: snt.Module,
                 critic_network: snt.Module,
                 observation_network: types.TensorTransformation = tf.identity,
                 *args,
                 config: Optional[config_lib.ActorCriticConfig] = None,
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
          policy_network: μ, embedded observations -> actions within the bounds
            (e.g. from the agent's `make_networks`).
          critic_network: Q, (embedded observations, actions) -> the critic's
            output ([B, 1] values, or a distribution for D4PG).
          observation_network: embedding shared by policy and critic (trained by
            the critic loss); tf.identity by default.
          *args: hyperparameters in `positional`'s order (Acme's).
          config: all hyperparameters at once (keywords replace its fields).
          logger: the learner's logger.
          counter: the learner's counter.
          checkpoint: whether the learner's state is checkpointed.
          checkpoint_subpath: the checkpoint root directory.
          device: the learner's device (default: first GPU, else CPU).
          num_envs: None acts in one environment. N acts on a
            `BatchedEnvironment` of N copies: one policy call per batch step,
            noise drawn per copy, one n-step trajectory per copy; the schedule
            counts env steps of all copies.
          policy_optimizer: default Adam(policy_learning_rate).
          critic_optimizer: default Adam(critic_learning_rate).
          **hyperparameters: fields of the agent's config.
        """
        networks = ac_networks.ActorCriticNetworks(
            policy_network, (critic_network,),
            ac_networks.to_sonnet_module(observation_network))
        self._start(environment_spec, networks, args, config, hyperparameters,
                    logger=logger, counter=counter, checkpoint=checkpoint,
                    checkpoint_subpath=checkpoint_subpath, device=device,
                    num_envs=num_envs, policy_optimizer=policy_optimizer,
                    critic_optimizer=critic_optimizer)

    def _start(self, environment_spec: specs.EnvironmentSpec, networks,
               args: Sequence, config, hyperparameters: dict, *,
               policy_optimizer: Optional[snt.Optimizer] = None,
               critic_optimizer: Optional[snt.Optimizer] = None,
               **runner_options) -> None:
        """Makes the config and the builder, then builds every part
        (`runner_options`: LocalAgent's keyword arguments)."""
        config_class = self.builder_class.config_class
        if config is not None and not isinstance(config, config_class):
            raise TypeError(f'config must be a {config_class.__name__}, got {config!r}.')
        config = local.make_config(config_class, config, self.positional, args,
                                   hyperparameters)
        builder: builder_lib.ActorCriticBuilder = self.builder_class(
            config, policy_optimizer=policy_optimizer, critic_optimizer=critic_optimizer)
        super().__init__(builder, environment_spec, networks, **runner_options)
