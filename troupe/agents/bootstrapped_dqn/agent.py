"""BootstrappedDQN: the single-process agent, a thin wrapper of
`LocalAgent(BootstrappedDQNBuilder(BootstrappedDQNConfig(...)), ...)`.

It starts a Reverb server with a uniform table of transitions carrying
bootstrap masks, acts with one ensemble member per episode, and trains the
whole ensemble with a `BootstrappedDQNLearner`, one learner step every
batch_size · updates_per_call / samples_per_insert observations (1 with the
defaults) after max(batch_size, min_replay_size) observations.
"""

from typing import Optional

import sonnet as snt

from troupe import specs
from troupe.agents import local
from troupe.agents.bootstrapped_dqn import builder as builder_lib
from troupe.agents.bootstrapped_dqn import config as config_lib
from troupe.components import loggers


class BootstrappedDQN(local.LocalAgent):
    """Bootstrapped DQN with randomized prior functions (Osband et al. 2016, 2018).

    `BootstrappedDQN(environment_spec, network=None, *, config=None,
    logger=None, checkpoint=False, checkpoint_subpath='~/troupe/',
    device=None, **hyperparameters)`: the hyperparameters are the fields of
    `BootstrappedDQNConfig` (keywords only: Acme has no such agent whose
    positional order to keep), or a whole `config=`.
    """

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 network: Optional[snt.Module] = None,
                 *,
                 config: Optional[config_lib.BootstrappedDQNConfig] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = False,
                 checkpoint_subpath: str = '~/troupe/',
                 device: Optional[str] = None,
                 **hyperparameters):
        """Builds the agent.

        Args:
          environment_spec: the environment's specs; actions must be discrete.
          network: the ensemble, [B, ...] observations -> [B, K, num_actions]
            with K the config's `ensemble_size` (default:
            `BootstrappedDQNBuilder.make_networks`, a prior ensemble of MLPs).
          config: all hyperparameters at once (keywords replace its fields).
          logger: the learner's logger.
          checkpoint: whether the learner's state is checkpointed.
          checkpoint_subpath: the checkpoint root directory.
          device: the learner's device (default: first GPU, else CPU).
          **hyperparameters: fields of `BootstrappedDQNConfig`.
        """
        config = local.make_config(config_lib.BootstrappedDQNConfig, config, (), (),
                                   hyperparameters)
        super().__init__(builder_lib.BootstrappedDQNBuilder(config), environment_spec,
                         network, logger=logger, device=device, checkpoint=checkpoint,
                         checkpoint_subpath=checkpoint_subpath)

    @property
    def member(self) -> int:
        """The ensemble member acting in the current episode."""
        return self._actor.member
