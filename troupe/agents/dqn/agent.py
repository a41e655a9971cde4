"""DQN: the single-process agent (Acme's `dqn.DQN` contract), a thin wrapper of
`LocalAgent(DQNBuilder(DQNConfig(...)), ...)`.

It starts a Reverb server with a prioritized table, writes n-step transitions
with an `NStepTransitionAdder`, acts ε-greedily with a `FeedForwardActor`, and
trains a `DQNLearner` on batches from `make_reverb_dataset`, one learner step
every batch_size · updates_per_call / samples_per_insert observations after
max(batch_size, min_replay_size) observations.
"""

from typing import Optional

import sonnet as snt

from troupe import specs
from troupe.agents import local
from troupe.agents.dqn import builder as builder_lib
from troupe.agents.dqn import config as config_lib
from troupe.components import loggers

# Acme's positional order of the hyperparameters after `network`.
_POSITIONAL = ('batch_size', 'prefetch_size', 'target_update_period',
               'samples_per_insert', 'min_replay_size', 'max_replay_size',
               'importance_sampling_exponent', 'priority_exponent', 'n_step',
               'epsilon', 'learning_rate', 'discount')


class DQN(local.LocalAgent):
    """Deep Q-Networks with double-Q n-step targets and prioritized replay.

    `DQN(environment_spec, network, batch_size=256, ..., logger=None,
    checkpoint=True, checkpoint_subpath='~/troupe/', device=None, num_envs=None,
    **hyperparameters)`: the hyperparameters are the fields of `DQNConfig`
    (Acme's names and defaults; the first twelve may be given positionally in
    Acme's order), or a whole `config=`.
    """

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 network: Optional[snt.Module] = None,
                 *args,
                 config: Optional[config_lib.DQNConfig] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 checkpoint_subpath: str = '~/troupe/',
                 device: Optional[str] = None,
                 num_envs: Optional[int] = None,
                 **hyperparameters):
        """Builds the agent.

        Args:
          environment_spec: the environment's specs; actions must be discrete.
          network: the Q-network, [B, ...] observations -> [B, num_actions]
            (default: `DQNBuilder.make_networks`, an MLP of `hidden_sizes`).
          *args: hyperparameters in Acme's positional order.
          config: all hyperparameters at once (keywords replace its fields).
          logger: the learner's logger.
          checkpoint: whether the learner's state is checkpointed.
          checkpoint_subpath: the checkpoint root directory.
          device: the learner's device (default: first GPU, else CPU).
          num_envs: None acts in one environment; N acts on a
            `BatchedEnvironment` of N copies (one network call per batch step,
            ε-greedy per copy, one n-step trajectory per copy). The schedule
            and ε's count env steps of all copies.
          **hyperparameters: fields of `DQNConfig`.
        """
        config = local.make_config(config_lib.DQNConfig, config, _POSITIONAL, args,
                                   hyperparameters)
        super().__init__(builder_lib.DQNBuilder(config), environment_spec, network,
                         num_envs=num_envs, logger=logger, device=device,
                         checkpoint=checkpoint, checkpoint_subpath=checkpoint_subpath)

    @property
    def epsilon(self) -> float:
        """The exploration rate the actor uses now."""
        return float(self.policy.epsilon.numpy())
