"""SAC: the single-process agent, a thin wrapper of
`LocalAgent(SACBuilder(SACConfig(...)), ...)`.

It starts a Reverb server with a uniform table, writes n-step transitions with
an `NStepTransitionAdder`, acts by sampling the tanh-Gaussian policy with a
`FeedForwardActor`, and trains a `SACLearner` on batches from
`make_reverb_dataset`: one learner step every batch_size · updates_per_call /
samples_per_insert observations (one update per environment step by default)
after max(batch_size, min_replay_size) observations.
`make_evaluation_actor()` gives an actor that follows the deterministic
(squashed-mean) policy.

With `num_envs` N the agent acts on a `BatchedEnvironment` of N copies: one
policy call per batch step samples an action for every copy, a `BatchedAdder`
keeps one n-step trajectory per copy, and the schedule counts env steps of all
copies.
"""

from typing import Optional, Sequence

import sonnet as snt

from troupe import specs
from troupe.agents import local
from troupe.agents.sac import builder as builder_lib
from troupe.agents.sac import config as config_lib
from troupe.agents.sac import networks as sac_networks
from troupe.components import loggers

# The positional order of the hyperparameters after the networks.
_POSITIONAL = ('batch_size', 'prefetch_size', 'min_replay_size', 'max_replay_size',
               'samples_per_insert', 'n_step', 'discount', 'target_update_rate',
               'learning_rate')


class SAC(local.LocalAgent):
    """Soft actor-critic with twin critics and an automatic temperature.

    `SAC(environment_spec, policy_network=None, critic_networks=None,
    batch_size=256, ..., logger=None, checkpoint=True,
    checkpoint_subpath='~/troupe/', device=None, num_envs=None,
    **hyperparameters)`: the hyperparameters are the fields of `SACConfig` (the
    first nine may be given positionally, in `_POSITIONAL`'s order), or a whole
    `config=`.
    """

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 policy_network: Optional[snt.Module] = None,
                 critic_networks: Optional[Sequence[snt.Module]] = None,
                 *args,
                 config: Optional[config_lib.SACConfig] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 checkpoint_subpath: str = '~/troupe/',
                 device: Optional[str] = None,
                 num_envs: Optional[int] = None,
                 **hyperparameters):
        """Builds the agent.

        Args:
          environment_spec: the environment's specs; actions must be a
            floating-point `BoundedArray` of shape [A] with finite bounds.
          policy_network: observations -> tanh-squashed distribution over
            actions (default: `sac.make_policy_network` of
            `policy_hidden_sizes`).
          critic_networks: two critics (observations, actions) -> [B] (default:
            two `sac.make_critic_network` of `critic_hidden_sizes`).
          *args: hyperparameters in `_POSITIONAL`'s order.
          config: all hyperparameters at once (keywords replace its fields).
          logger: the learner's logger.
          checkpoint: whether the learner's state is checkpointed.
          checkpoint_subpath: the checkpoint root directory.
          device: the learner's device (default: first GPU, else CPU).
          num_envs: None acts in one environment; N acts on a
            `BatchedEnvironment` of N copies (one policy call per batch step,
            the tanh-Gaussian sampled independently for every copy, one n-step
            trajectory per copy). The schedule counts env steps of all copies.
          **hyperparameters: fields of `SACConfig` (e.g. `target_update_rate`,
            `seed`: it seeds the learner's samples and the default networks'
            weights).
        """
        config = local.make_config(config_lib.SACConfig, config, _POSITIONAL, args,
                                   hyperparameters)
        builder = builder_lib.SACBuilder(config)
        networks = None
        if policy_network is not None or critic_networks is not None:
            networks = _complete_networks(builder, environment_spec, policy_network,
                                          critic_networks)
        super().__init__(builder, environment_spec, networks, num_envs=num_envs,
                         logger=logger, device=device, checkpoint=checkpoint,
                         checkpoint_subpath=checkpoint_subpath)

    @property
    def eval_policy(self) -> snt.Module:
        """Observations [B, ...] -> deterministic actions [B, A] in the bounds,
        with the actor's networks (kept fresh from the learner)."""
        return self.builder.make_policy(self._actor_networks, self._environment_spec,
                                        evaluation=True)


def _complete_networks(builder: builder_lib.SACBuilder,
                       environment_spec: specs.EnvironmentSpec,
                       policy_network: Optional[snt.Module],
                       critic_networks: Optional[Sequence[snt.Module]]
                       ) -> sac_networks.SACNetworks:
    """The given networks, the missing one from the builder's defaults."""
    if policy_network is None or critic_networks is None:
        builder.check_environment(environment_spec)  # Before building defaults.
        defaults = builder.make_networks(environment_spec)
        if policy_network is None:
            policy_network = defaults.policy
        if critic_networks is None:
            critic_networks = defaults.critics
    return sac_networks.SACNetworks(policy_network, tuple(critic_networks))
