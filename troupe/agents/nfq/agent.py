"""NFQ: the single-process neural fitted Q agent of the EEML 2021 RL tutorial, a
thin wrapper of `LocalAgent(NFQBuilder(NFQConfig(...)), ...)`.

Transitions go through a one-step `NStepTransitionAdder` into a uniform Reverb
table; an ε-greedy `FeedForwardActor` acts with the Q-network; the
`NFQLearner` takes one minibatch step every `observations_per_step`
observations once max(batch_size, min_replay_size) transitions are stored.
"""

from typing import Optional

import sonnet as snt

from troupe import specs
from troupe.agents import local
from troupe.agents.nfq import builder as builder_lib
from troupe.agents.nfq import config as config_lib
from troupe.components import loggers

# The tutorial's positional order of the hyperparameters after `network`.
_POSITIONAL = ('batch_size', 'learning_rate', 'epsilon', 'discount',
               'min_replay_size', 'max_replay_size', 'observations_per_step',
               'prefetch_size')


class NFQ(local.LocalAgent):
    """Neural fitted Q-learning with an ε-greedy actor and uniform replay.

    `NFQ(environment_spec, network=None, batch_size=32, ..., logger=None,
    checkpoint=False, checkpoint_subpath='~/troupe/', device=None,
    num_envs=None, **hyperparameters)`: the hyperparameters are the fields of
    `NFQConfig` (the first eight may be given positionally, in `_POSITIONAL`'s
    order), or a whole `config=`.
    """

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 network: Optional[snt.Module] = None,
                 *args,
                 config: Optional[config_lib.NFQConfig] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = False,
                 checkpoint_subpath: str = '~/troupe/',
                 device: Optional[str] = None,
                 num_envs: Optional[int] = None,
                 **hyperparameters):
        """Builds the agent.

        Args:
          environment_spec: the environment's specs; actions must be discrete.
          network: the Q-network, [B, ...] observations -> [B, num_actions]
            (default: `NFQBuilder.make_networks`, an MLP of `hidden_sizes`).
          *args: hyperparameters in `_POSITIONAL`'s order.
          config: all hyperparameters at once (keywords replace its fields).
          logger: the learner's logger.
          checkpoint: whether the learner's state is checkpointed.
          checkpoint_subpath: the checkpoint root directory.
          device: the learner's device (default: first GPU, else CPU; the actor
            acts with a CPU copy when it is not a CPU).
          num_envs: None acts in one environment; N acts on a
            `BatchedEnvironment` of N copies (one network call per batch step,
            ε-greedy per copy). The schedule counts env steps of all copies.
          **hyperparameters: fields of `NFQConfig`.
        """
        config = local.make_config(config_lib.NFQConfig, config, _POSITIONAL, args,
                                   hyperparameters)
        super().__init__(builder_lib.NFQBuilder(config), environment_spec, network,
                         num_envs=num_envs, logger=logger, device=device,
                         checkpoint=checkpoint, checkpoint_subpath=checkpoint_subpath)

    @property
    def epsilon(self) -> float:
        """The exploration rate the actor uses."""
        return float(self.policy.epsilon.numpy())
